import assert from "node:assert/strict";
import { parseArgs } from "../../../src/core/console/parse-args";
import { formatDate, NO_DATE, parseValue, T, type ParamType } from "../../../src/core/console/params";
import { parseTimeZone } from "../../../src/core/time/posix-tz";
import { allCommands } from "../../../src/core/console/commands/index";

const NOW = Date.UTC(2026, 7, 31, 10, 30); // 31 Aug 2026
const UTC = parseTimeZone("UTC0");
const parse = (type: ParamType, raw: string, zone = UTC) => parseValue({ name: "x", type, doc: "" }, raw, NOW, zone);
const command = (path: string) => allCommands.find((c) => c.path === path)!;

describe("console argument types", () => {
  it("resident ids", () => {
    assert.equal(parse(T.resident, "R-0042"), "R-0042");
    for (const bad of ["", "-R", "a b", "x".repeat(33), "R/1"]) assert.throws(() => parse(T.resident, bad), { code: "E_BAD_ARGUMENT", message: /resident id/ });
  });

  it("names: prototype property names are reserved", () => {
    assert.equal(parse(T.name, "cleaners"), "cleaners");
    for (const bad of ["constructor", "toString", "hasOwnProperty", "valueOf"]) {
      assert.throws(() => parse(T.name, bad), { code: "E_BAD_ARGUMENT", message: /reserved/ });
    }
    assert.throws(() => parse(T.name, "__proto__"), { code: "E_BAD_ARGUMENT" });
  });

  it("card UIDs: 4, 7 or 10 bytes of hex, normalised", () => {
    assert.equal(parse(T.uid, "04a1b2c3"), "04A1B2C3");
    assert.equal(parse(T.uid, "04:A1:B2:C3:D4:E5:F6"), "04A1B2C3D4E5F6");
    assert.equal(parse(T.uid, "0102030405060708090a"), "0102030405060708090A");
    assert.throws(() => parse(T.uid, "04A1B2"), { message: /3 bytes is not a UID length/ });
    assert.throws(() => parse(T.uid, "04A1B2CG"), { message: /not hex/ });
  });

  it("ISO dates and relative dates, with month ends clamped", () => {
    assert.equal(parse(T.date, "2027-02-28"), Date.UTC(2027, 1, 28));
    assert.equal(parse(T.date, "2027-02-28T08:15"), Date.UTC(2027, 1, 28, 8, 15));
    assert.equal(parse(T.date, "+30d"), NOW + 30 * 86_400_000);
    assert.equal(parse(T.date, "+2w"), NOW + 14 * 86_400_000);
    assert.equal(parse(T.date, "+6m"), Date.UTC(2027, 1, 28, 10, 30), "31 Aug + 6 months = 28 Feb");
    assert.equal(parse(T.date, "+1y"), Date.UTC(2027, 7, 31, 10, 30));
    for (const bad of ["2027-02-29", "2027-13-01", "27-01-01", "1970-01-01", "+6x", "tomorrow", "2027-01-01T25:00"]) {
      assert.throws(() => parse(T.date, bad), { code: "E_BAD_ARGUMENT" }, bad);
    }
    assert.throws(() => parse(T.date, "none"));
    assert.equal(parse(T.clearableDate, "none"), NO_DATE);
  });

  it("formats dates back", () => {
    assert.equal(formatDate(Date.UTC(2027, 1, 28)), "2027-02-28");
    assert.equal(formatDate(Date.UTC(2027, 1, 28, 8, 15)), "2027-02-28T08:15Z");
    assert.equal(formatDate(null), "-");
  });

  it("integers in range, times, enums, lists, text", () => {
    assert.equal(parse(T.int(1, 30), "30"), 30);
    for (const bad of ["0", "31", "1.5", "ten", "", "1e3"]) assert.throws(() => parse(T.int(1, 30), bad), { code: "E_BAD_ARGUMENT" }, bad);
    assert.equal(parse(T.time, "07:30"), 450);
    assert.throws(() => parse(T.time, "7:30"));
    assert.throws(() => parse(T.time, "24:01"));
    assert.equal(parse(T.oneOf(["a", "b"]), "b"), "b");
    assert.throws(() => parse(T.oneOf(["a", "b"]), "c"), { message: /one of: a, b/ });
    assert.deepEqual(parse(T.list(T.oneOf(["mon", "tue"]), 7), "mon,tue"), ["mon", "tue"]);
    assert.throws(() => parse(T.list(T.name, 2), "a,b,c"), { message: /more than 2/ });
    assert.throws(() => parse(T.text(5), "toolong"));
    assert.throws(() => parse(T.text(50), "bell\x07"), { message: /control/ });
  });
});

describe("console argument parsing", () => {
  it("matches positionals and --options (both --x v and --x=v)", () => {
    const args = parseArgs(command("card add"), ["R-1", "04a1b2c3"], NOW, UTC);
    assert.equal(args.str("resident"), "R-1");
    assert.equal(args.str("uid"), "04A1B2C3");
    const add = parseArgs(command("resident add"), ["--unit", "3-1201", "--role=renter", "--until", "+6m", "--groups", "a,b"], NOW, UTC);
    assert.equal(add.str("unit"), "3-1201");
    assert.equal(add.str("role"), "renter");
    assert.equal(add.num("until"), Date.UTC(2027, 1, 28, 10, 30));
    assert.deepEqual(add.list("groups"), ["a", "b"]);
    assert.equal(add.has("from"), false);
  });

  it("refuses missing, extra, unknown and repeated arguments with the usage line", () => {
    const add = command("resident add");
    assert.throws(() => parseArgs(add, ["--unit", "1"], NOW, UTC), { code: "E_MISSING_ARGUMENT", message: /--role is required; usage: resident add --unit/ });
    assert.throws(() => parseArgs(command("card add"), ["R-1"], NOW, UTC), { code: "E_MISSING_ARGUMENT", message: /<uid> is missing/ });
    assert.throws(() => parseArgs(add, ["R-2", "--unit", "1", "--role", "owner"], NOW, UTC), { code: "E_TOO_MANY_ARGUMENTS" });
    assert.throws(() => parseArgs(add, ["--colour", "red"], NOW, UTC), { code: "E_UNKNOWN_OPTION", message: /--unit, --role/ });
    assert.throws(() => parseArgs(add, ["--unit", "1", "--unit", "2"], NOW, UTC), { message: /given twice/ });
    assert.throws(() => parseArgs(add, ["--unit"], NOW, UTC), { message: /--unit needs a value/ });
    assert.throws(() => parseArgs(add, ["--unit", "1", "--role", "king"], NOW, UTC), { message: /role: "king" is not allowed; expected one of: owner/ });
  });

  it("gives the rest of the words to a variadic param", () => {
    assert.equal(parseArgs(command("help"), ["resident", "add"], NOW, UTC).str("command"), "resident add");
  });

  it("every command documents its params and has an example that parses", () => {
    for (const c of allCommands) {
      assert.ok(c.summary.length > 5 && c.examples.length > 0, c.path);
      for (const example of c.examples) {
        const words = example.replace(/ --json$/, "").match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"|"$/g, ""));
        assert.equal(words.slice(0, c.path.split(" ").length).join(" "), c.path, example);
        assert.doesNotThrow(() => parseArgs(c, words.slice(c.path.split(" ").length), NOW, UTC), example);
      }
    }
  });
});
