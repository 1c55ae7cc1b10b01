// Splits a command line into words the way a shell does, so arguments with
// spaces can be quoted: "double quotes" (with \" and \\) or 'single quotes'
// (literal). Quoted and plain parts next to each other join into one word.
import { OptgateError } from "../errors";

export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === " " || ch === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (ch === "'" || ch === '"') {
      const close = ch === "'" ? closeSingle(line, i) : closeDouble(line, i);
      word += close.text;
      inWord = true;
      i = close.next;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function closeSingle(line: string, open: number): { text: string; next: number } {
  const end = line.indexOf("'", open + 1);
  if (end < 0) throw unterminated("'", open);
  return { text: line.slice(open + 1, end), next: end + 1 };
}

function closeDouble(line: string, open: number): { text: string; next: number } {
  let text = "";
  for (let i = open + 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') return { text, next: i + 1 };
    if (ch === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
      text += line[i + 1];
      i++;
    } else {
      text += ch;
    }
  }
  throw unterminated('"', open);
}

function unterminated(quote: string, open: number): OptgateError {
  return new OptgateError("E_UNTERMINATED_QUOTE", `The ${quote} opened at column ${open + 1} is never closed; add the closing ${quote} and run the command again.`);
}
