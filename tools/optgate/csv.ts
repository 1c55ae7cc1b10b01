// RFC 4180 CSV: comma-separated fields, CRLF (or LF) between records, fields
// with commas, quotes or line breaks in double quotes, a quote inside doubled.
// Parsing reports every malformed record with the line it starts on instead
// of guessing, because an import must never apply half-understood rows.
// A cell a spreadsheet would evaluate as a formula (starting with = + - @ tab
// or CR) is written with a leading apostrophe, quoted; parsing takes one
// apostrophe off such a cell, so values survive the round trip unchanged.

export interface CsvRecord {
  /** 1-based line number where the record starts in the file. */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Excel's UTF-8 BOM
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let problem: string | undefined;
    // One record: fields until an unquoted line break or the end.
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < text.length) {
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
            i++;
            closed = true;
            break;
          }
          if (ch === "\n") line++;
          field += ch;
          i++;
        }
        if (!closed) {
          problem ??= "a quoted field is never closed (missing \")";
        } else if (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
          problem ??= "text after a closing quote (a quote inside a field must be doubled: \"\")";
          while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") { field += text[i]; i++; }
        }
      } else {
        while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
          if (text[i] === '"') problem ??= "a quote inside an unquoted field (quote the whole field and double the quote)";
          field += text[i];
          i++;
        }
      }
      fields.push(unguard(field));
      if (text[i] === ",") { i++; continue; }
      break;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") { i++; line++; }
    else if (i < text.length) { line++; } // a lone CR ends the record too
    const blank = fields.length === 1 && fields[0] === "";
    if (problem) problems.push({ line: start, message: problem });
    else if (!blank) records.push({ line: start, fields });
  }
  return { records, problems };
}

// Apostrophes already in front of a formula character get one more, so the
// guard is undone exactly: "'=x" is written "''=x" and read back as "'=x".
const FORMULA = /^'*[=+\-@\t\r]/;

function guard(field: string): string {
  return FORMULA.test(field) ? `'${field}` : field;
}

function unguard(field: string): string {
  return field.startsWith("'") && FORMULA.test(field) ? field.slice(1) : field;
}

function quote(field: string): string {
  const safe = guard(field);
  return safe !== field || /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function formatCsv(rows: string[][]): string {
  return rows.map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";
}
