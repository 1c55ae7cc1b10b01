// Matches the words after a command's name to its positional params and
// --options, validating every value by type. Any problem refuses the whole
// command before it runs, with the usage line in the error.
import { OptgateError } from "../errors";
import { Args, usageLine, type Command } from "./command";
import type { TimeZone } from "../time/posix-tz";
import { parseValue, type ParamValue } from "./params";

export function parseArgs(command: Command, words: string[], now: number, zone: TimeZone): Args {
  const values = new Map<string, ParamValue>();
  const positional: string[] = [];
  const usage = `usage: ${usageLine(command)}`;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("--") || word.length <= 2) {
      positional.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const spec = command.options.find((o) => o.name === name);
    if (!spec) {
      const known = command.options.map((o) => `--${o.name}`).join(", ") || "none";
      throw new OptgateError("E_UNKNOWN_OPTION", `${command.path} has no option --${name.slice(0, 32)} (options: ${known}); ${usage}`);
    }
    if (values.has(name)) throw new OptgateError("E_BAD_ARGUMENT", `--${name} is given twice; ${usage}`);
    let raw: string;
    if (eq >= 0) raw = word.slice(eq + 1);
    else if (i + 1 < words.length) raw = words[++i];
    else throw new OptgateError("E_MISSING_ARGUMENT", `--${name} needs a value; ${usage}`);
    values.set(name, parseValue(spec, raw, now, zone));
  }
  const params = command.params;
  if (command.variadic && positional.length > params.length && params.length > 0) {
    positional.splice(params.length - 1, positional.length, positional.slice(params.length - 1).join(" "));
  }
  if (positional.length > params.length) {
    throw new OptgateError("E_TOO_MANY_ARGUMENTS", `${command.path} takes ${params.length} argument(s), got ${positional.length}; ${usage}`);
  }
  params.forEach((spec, i) => {
    if (i < positional.length) values.set(spec.name, parseValue(spec, positional[i], now, zone));
    else if (!spec.optional) throw new OptgateError("E_MISSING_ARGUMENT", `<${spec.name}> is missing; ${usage}`);
  });
  for (const spec of command.options) {
    if (spec.required && !values.has(spec.name)) throw new OptgateError("E_MISSING_ARGUMENT", `--${spec.name} is required; ${usage}`);
  }
  return new Args(values);
}
