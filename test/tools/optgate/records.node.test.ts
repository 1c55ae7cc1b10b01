import assert from "node:assert/strict";
import type { ResidentView } from "../../../src/core/console/backend";
import { applyPlan, exportRows, planImport, type GateState } from "../../../tools/optgate/records";
import { formatCsv, parseCsv } from "../../../tools/optgate/csv";

const NOW = Date.UTC(2026, 10, 25, 1);
const resident = (id: string, cards: string[], pin: boolean): ResidentView => ({
  id, unit: "1-101", role: "owner", status: "active", validFrom: null, validUntil: null, groups: ["all"], cards, pin, face: "none",
});
const gate = (): GateState => ({
  residents: [resident("R00001", ["04000001"], false), resident("R00002", [], true)],
  schedules: [{ name: "daytime", days: ["mon", "tue"], from: 420, to: 1140 }],
  groups: [{ name: "all", schedules: [], members: 2 }, { name: "cleaners", schedules: ["daytime"], members: 0 }],
  timeZone: "CST-8",
});
const HEADER = "id,unit,role,valid_from,valid_until,groups,cards,pin\n";

describe("optgate import planning", () => {
  it("turns good rows into the console commands a technician would type", () => {
    const plan = planImport("residents", HEADER +
      ",3-1202,renter,,2027-05-25,cleaners,04A1B2C3;04A1B2C4,\n" +
      "R00001,1-102,owner,,,,04000001;04000009,\n" +
      "R00002,1-101,owner,,,,04000010,reset\n", gate(), NOW);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.rows.map((r) => r.commands), [
      ['resident add --unit 3-1202 --role renter --until "2027-05-25 23:59:59 +08:00" --groups cleaners --card 04A1B2C3', "card add {id} 04A1B2C4"],
      ["resident edit R00001 --unit 1-102 --role owner --from none --until none", "card add R00001 04000009"],
      ["resident edit R00002 --unit 1-101 --role owner --from none --until none", "card add R00002 04000010", "pin reset R00002"],
    ]);
  });

  it("reports every bad row with its line number", () => {
    const text = HEADER +
      ",3-1202,renter,,,,04A1B2C3,\n" +              // 2: renter without end
      ",3-1203,owner,,,,,\n" +                         // 3: new without card
      ",3-1204,king,,,,04A1B2C5,\n" +                  // 4: bad role
      ",toolongunit,owner,,,,04A1B2C6,\n" +            // 5: bad unit
      ",1-1,owner,,,,XYZ,\n" +                         // 6: bad uid
      ",1-1,owner,,,,04000001,\n" +                    // 7: card of R00001
      ",1-1,owner,,,ghosts,04A1B2C7,\n" +              // 8: unknown group
      ",1-1,owner,,,,04A1B2C8,1234\n" +                // 9: PIN value
      ",1-1,owner,2027-01-01,2026-01-01,,04A1B2C9,\n" + // 10: window
      ",1-1,owner,,,,04A1B2CA;04A1B2CA,\n" +           // 11: card twice in the file
      "R00001,1-1,owner,,,,,reset\n" +                 // 12: no PIN to reset
      ",1-1,owner,,\n" +                               // 13: too few fields
      ",\"1-1,owner,,,,04A1B2CB,\n";                   // 14: unterminated quote
    const plan = planImport("residents", text, gate(), NOW);
    assert.deepEqual(plan.problems.map((p) => p.line), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const byLine = new Map(plan.problems.map((p) => [p.line, p.message]));
    assert.match(byLine.get(2)!, /renter needs valid_until/);
    assert.match(byLine.get(3)!, /needs a card/);
    assert.match(byLine.get(7)!, /belongs to R00001/);
    assert.match(byLine.get(9)!, /PINs themselves are never imported/);
    assert.match(byLine.get(11)!, /already on line 11/);
    assert.match(byLine.get(13)!, /5 fields, expected 8/);
    assert.equal(plan.rows.length, 0);
  });

  it("never plans a PIN reset that would leave a resident with no card and no PIN", () => {
    // R00002 holds a PIN and no card: resetting the PIN would lock them out.
    const alone = planImport("residents", HEADER + "R00002,1-101,owner,,,,,reset\n", gate(), NOW);
    assert.deepEqual(alone.rows, []);
    assert.deepEqual(alone.problems.map((p) => p.line), [2]);
    assert.match(alone.problems[0].message, /would leave R00002 without any card or PIN/);
    // A card added in the same row keeps a way in, so the reset is planned after it.
    const withCard = planImport("residents", HEADER + "R00002,1-101,owner,,,,04000011,reset\n", gate(), NOW);
    assert.deepEqual(withCard.problems, []);
    assert.deepEqual(withCard.rows[0].commands.slice(-2), ["card add R00002 04000011", "pin reset R00002"]);
  });

  it("requires the header, and checks cards, schedules and groups files too", () => {
    assert.match(planImport("cards", "uid,resident\n", gate(), NOW).problems[0].message, /header: resident,uid/);
    const cards = planImport("cards", "resident,uid\nR00001,04000001\nR00002,04000002\nR00404,04000003\nR00002,04000002\n", gate(), NOW);
    assert.deepEqual(cards.rows.map((r) => r.commands), [[], ["card add R00002 04000002"]]);
    assert.deepEqual(cards.problems.map((p) => p.line), [4, 5]);
    const schedules = planImport("schedules", "name,days,from,to\nnight,mon;Tue,22:00,06:00\nbad,funday,07:00,08:00\nnight,mon,01:00,02:00\n", gate(), NOW);
    assert.deepEqual(schedules.rows[0].commands, ["schedule set night --days mon,tue --from 22:00 --to 06:00"]);
    assert.deepEqual(schedules.problems.map((p) => p.line), [3, 4]);
    const groups = planImport("groups", "name,schedules\nguards,daytime\nghosts,nosuch\n", gate(), NOW);
    assert.deepEqual(groups.rows[0].commands, ["group add guards --schedules daytime"]);
    assert.match(groups.problems[0].message, /schedule nosuch does not exist/);
  });

  it("exports what it can import back unchanged", () => {
    const state = gate();
    const csv = formatCsv(exportRows("residents", state));
    assert.match(csv, /^id,unit,role,valid_from,valid_until,groups,cards,pin\r\nR00001,1-101,owner,,,all,04000001,\r\nR00002,1-101,owner,,,all,,set\r\n$/);
    const plan = planImport("residents", csv, state, NOW);
    assert.deepEqual(plan.problems, []);
    assert.ok(plan.rows.every((r) => r.commands.length === 1 && r.commands[0].startsWith("resident edit")));
    assert.equal(parseCsv(formatCsv(exportRows("cards", state))).records.length, 2);
  });

  it("exports a formula-looking unit quoted and imports it back as the same unit", () => {
    const state = gate();
    state.residents[0] = { ...state.residents[0], unit: "-A1-A1" };
    const csv = formatCsv(exportRows("residents", state));
    assert.match(csv, /\r\nR00001,"'-A1-A1",owner,/);
    const plan = planImport("residents", csv, state, NOW);
    assert.deepEqual(plan.problems, []);
    assert.match(plan.rows[0].commands[0], /^resident edit R00001 --unit -A1-A1 /);
  });

  it("applies rows in order, giving a new resident's id to its later commands, and stops a refused row only", async () => {
    const plan = planImport("residents", HEADER + ",3-1202,owner,,,,04A1B2C3;04A1B2C4,\nR00001,1-102,owner,,,,,\n", gate(), NOW);
    const sent: string[] = [];
    const results = await applyPlan(async (line) => {
      sent.push(line);
      if (line.startsWith("resident add")) return { ok: true, data: { id: "R00003" } };
      if (line.startsWith("resident edit R00001")) return { ok: false, error: { message: "E_X: refused" } };
      return { ok: true, data: {} };
    }, plan);
    assert.deepEqual(sent, [plan.rows[0].commands[0], "card add R00003 04A1B2C4", plan.rows[1].commands[0]]);
    assert.deepEqual(results.map((r) => r.ok), [true, false]);
    assert.match(results[0].message, /→ R00003/);
    assert.match(results[1].message, /resident edit: E_X: refused/);
  });
});

describe("CSV dates agree with the console", () => {
  it("a day in the CSV is the same local day as at the console, and export re-imports to the same window", async () => {
    const { parseArgs } = await import("../../../src/core/console/parse-args");
    const { allCommands } = await import("../../../src/core/console/commands/index");
    const { parseTimeZone } = await import("../../../src/core/time/posix-tz");
    const zone = parseTimeZone("CST-8");
    const add = allCommands.find((c) => c.path === "resident add")!;
    const untilOf = (command: string) => {
      const words = command.match(/"[^"]*"|\S+/g)!.slice(2).map((w) => w.replace(/^"|"$/g, ""));
      return parseArgs(add, words, NOW, zone).optNum("until");
    };
    const typed = untilOf("resident add --unit 1-1 --role renter --until 2026-06-30 --card 04000001");
    assert.equal(typed, Date.UTC(2026, 5, 30, 16)); // the moment after 23:59:59 local
    const plan = planImport("residents", HEADER + ",3-1202,renter,,2026-06-30,,04A1B2C3,\n", gate(), NOW);
    assert.equal(untilOf(plan.rows[0].commands[0]), typed);
    const state = gate();
    state.residents.push({ ...resident("R00003", ["04A1B2C3"], false), role: "renter", validUntil: typed!, validFrom: Date.UTC(2026, 4, 31, 16) });
    const row = exportRows("residents", state).find((r) => r[0] === "R00003")!;
    assert.deepEqual(row.slice(3, 5), ["2026-06-01 00:00:00 +08:00", "2026-06-30 23:59:59 +08:00"]);
    const again = planImport("residents", HEADER + formatCsv([row]), state, NOW);
    assert.deepEqual(again.problems, []);
    assert.match(again.rows[0].commands[0], /--from "2026-06-01 00:00:00 \+08:00" --until "2026-06-30 23:59:59 \+08:00"/);
    assert.equal(untilOf(again.rows[0].commands[0].replace(/^resident edit R00003/, "resident add")), typed);
  });
});

describe("optgate import: every refusal says what is wrong (found by mutation testing)", () => {
  const problems = (kind: Parameters<typeof planImport>[0], text: string) => planImport(kind, text, gate(), NOW).problems.map((p) => `${p.line} ${p.message}`);

  it("names each bad resident field", () => {
    const messages = problems("residents", HEADER +
      ",3-1204,king,,,,04A1B2C5,\n" +
      ",toolongunit,owner,,,,04A1B2C6,\n" +
      ",1-1,owner,,,,XYZ,\n" +
      ",1-1,owner,,,ghosts,04A1B2C7,\n" +
      ",1-1,owner,2027-01-01,2026-12-31T23:59:59+08:00,,04A1B2C8,\n" +
      "R00001,1-1,owner,,,,,reset\n" +
      ",1-1,owner,,,,04A1B2C9,reset\n" +
      "R00009,1-1,owner,,,,04A1B2CA,\n" +
      "R00009,1-1,owner,,,,04A1B2CB,\n");
    assert.deepEqual(messages.map((m) => m.replace(/^(\d+) (.{0,40}).*$/, "$1 $2")), [
      "2 role: \"king\" is not allowed; expected one of",
      "3 unit: \"toolongunit\" must be 1-8 letters, digi",
      "4 cards: \"XYZ\" is not hex; expected card UID",
      "5 group ghosts does not exist on the gate (i",
      "6 valid_from must be before valid_until",
      "7 R00001 has no PIN to reset",
      "8 a new resident has no PIN to reset",
      "10 resident R00009 is already on line 9",
    ].map((m) => m.replace(/^(\d+) (.{0,40}).*$/, "$1 $2")));
  });

  it("a window of one second is a window; visitors and couriers need an end as renters do", () => {
    const ok = planImport("residents", HEADER + ",1-1,owner,2027-01-01T00:00:00Z,2027-01-01T00:00:01Z,,04A1B2D0,\n", gate(), NOW);
    assert.deepEqual(ok.problems, []);
    assert.match(ok.rows[0].commands[0], /--from "2027-01-01 08:00:00 \+08:00" --until "2027-01-01 08:00:00 \+08:00"|--from .* --until /);
    for (const role of ["visitor", "courier"]) assert.match(problems("residents", HEADER + `,1-1,${role},,,,04A1B2D1,\n`)[0], new RegExp(`a ${role} needs valid_until`));
    assert.deepEqual(problems("residents", HEADER + ",1-1,staff,,,,04A1B2D2,\n"), [], "staff may be permanent");
  });

  it("an existing resident row may leave out cards; an edit clears dates given as empty", () => {
    const plan = planImport("residents", HEADER + "R00001,1-1,owner,2027-01-01,2027-12-31,all,,\n", gate(), NOW);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.rows[0].commands, ['resident edit R00001 --unit 1-1 --role owner --from "2027-01-01 00:00:00 +08:00" --until "2027-12-31 23:59:59 +08:00" --groups all']);
    assert.equal(plan.rows[0].summary, "update R00001");
    const more = planImport("residents", HEADER + "R00002,1-1,owner,,,,04000012;04000013,reset\n", gate(), NOW);
    assert.equal(more.rows[0].summary, "update R00002, 2 new card(s), PIN reset");
    const added = planImport("residents", HEADER + "R00077,2-2,owner,,,all,04A1B2D3,set\n", gate(), NOW);
    assert.deepEqual(added.rows[0].commands, ["resident add --unit 2-2 --role owner --groups all --card 04A1B2D3"]);
    assert.equal(added.rows[0].summary, "add (was R00077) unit 2-2 owner with 1 card(s)");
  });

  it("quotes what the console's tokenizer would split, and nothing else", () => {
    const state = gate();
    state.groups.push({ name: "night_shift", schedules: [], members: 0 });
    const plan = planImport("residents", HEADER + ",A-1,owner,,2027-01-01,night_shift,04A1B2D4,\n", state, NOW);
    assert.deepEqual(plan.rows[0].commands, ['resident add --unit A-1 --role owner --until "2027-01-01 23:59:59 +08:00" --groups night_shift --card 04A1B2D4']);
  });

  it("schedules and groups: every refusal, and their export", () => {
    assert.deepEqual(problems("schedules", "name,days,from,to\nnone,,07:00,08:00\nsame,mon,07:00,07:00\nbad,mon,25:00,08:00\n").map((m) => m.slice(0, 40)), [
      "2 days: list at least one of mon;tue;wed;", "3 from and to are the same time", "4 from: \"25:00\" is not a time of day; ex",
    ].map((m) => m.slice(0, 40)));
    assert.deepEqual(problems("groups", "name,schedules\ncrew,\ncrew,daytime\n"), ["3 crew is already on line 2"]);
    assert.deepEqual(planImport("groups", "name,schedules\ncrew,\n", gate(), NOW).rows[0].commands, ["group add crew"]);
    const state = gate();
    assert.deepEqual(exportRows("schedules", state), [["name", "days", "from", "to"], ["daytime", "mon;tue", "07:00", "19:00"]]);
    assert.deepEqual(exportRows("groups", state), [["name", "schedules"], ["all", ""], ["cleaners", "daytime"]]);
    assert.deepEqual(exportRows("cards", state), [["resident", "uid"], ["R00001", "04000001"]]);
  });

  it("the header may differ in case and spacing, not in columns; an empty file names line 1", () => {
    assert.deepEqual(planImport("groups", " Name , SCHEDULES\ncrew,\n", gate(), NOW).problems, []);
    assert.deepEqual(problems("groups", ""), ["1 the first line must be the header: name,schedules"]);
    assert.deepEqual(problems("groups", "\n\nname\n"), [problems("groups", "\n\nname\n")[0]]);
    assert.match(problems("groups", "name\n")[0], /^1 the first line must be the header/);
  });

  it("a refusal without a message still names the command", async () => {
    const plan = planImport("cards", "resident,uid\nR00001,04000099\n", gate(), NOW);
    const results = await applyPlan(async () => ({ ok: false }), plan);
    assert.deepEqual(results, [{ line: 2, ok: false, message: "card add: refused" }]);
  });

  it("a PIN typed into the pin column is refused without being repeated", () => {
    const [message] = problems("residents", HEADER + ",1-1,owner,,,,04A1B2D5,731946\n");
    assert.equal(message, "2 pin: must be empty, set (ignored) or reset; PINs themselves are never imported, and what the column held is not repeated here");
    assert.doesNotMatch(message, /7319/);
  });

  it("says in full what a row of the wrong width, an unknown resident and a long unit are", () => {
    assert.deepEqual(problems("residents", HEADER + ",1-1\n"), ["2 2 fields, expected 8 (id,unit,role,valid_from,valid_until,groups,cards,pin)"]);
    assert.deepEqual(problems("cards", "resident,uid\nR00042,04000042\n"), ["2 resident R00042 is not on the gate"]);
    assert.deepEqual(problems("residents", HEADER + ",ABCDEFGHIJKLMNOPQRSTUVWXYZ,owner,,,,04A1B2D6,\n"), ["2 unit: \"ABCDEFGHIJKLMNOPQRST\" must be 1-8 letters, digits or '-', e.g. 3-1202"]);
    assert.deepEqual(problems("groups", "name,schedules\ncrew,nightly\n"), ["2 schedule nightly does not exist on the gate (import schedules first)"]);
  });

  it("trims spaces around fields and list items", () => {
    const plan = planImport("residents", HEADER + " , 3-1202 , owner , , , all ; cleaners , 04A1B2D7 ; 04A1B2D8 , \n", gate(), NOW);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.rows[0].commands, ["resident add --unit 3-1202 --role owner --groups all,cleaners --card 04A1B2D7", "card add {id} 04A1B2D8"]);
  });

  it("lists of groups, days and schedules keep every item, on import and export", () => {
    const state = gate();
    state.schedules.push({ name: "nightly", days: ["sat"], from: 1200, to: 360 });
    state.residents[0] = { ...state.residents[0], groups: ["all", "cleaners"], cards: ["04000001", "04000002"] };
    state.groups[1] = { ...state.groups[1], schedules: ["daytime", "nightly"] };
    assert.deepEqual(exportRows("residents", state)[1], ["R00001", "1-101", "owner", "", "", "all;cleaners", "04000001;04000002", ""]);
    assert.deepEqual(exportRows("groups", state)[2], ["cleaners", "daytime;nightly"]);
    const edit = planImport("residents", HEADER + "R00001,1-1,owner,,,all;cleaners,,\n", state, NOW);
    assert.deepEqual(edit.rows[0].commands, ["resident edit R00001 --unit 1-1 --role owner --from none --until none --groups all,cleaners"]);
    const group = planImport("groups", "name,schedules\nshift,nightly;daytime\n", state, NOW).rows[0];
    assert.deepEqual(group, { line: 2, commands: ["group add shift --schedules nightly,daytime"], summary: "group shift" });
    const schedule = planImport("schedules", "name,days,from,to\nweekend,sat;SUN,09:00,17:00\n", state, NOW).rows[0];
    assert.deepEqual(schedule, { line: 2, commands: ["schedule set weekend --days sat,sun --from 09:00 --to 17:00"], summary: "schedule weekend" });
  });

  it("a card row says whether it adds the card or finds it already held", () => {
    const plan = planImport("cards", "resident,uid\nR00001,04000001\nR00002,04000077\n", gate(), NOW);
    assert.deepEqual(plan.rows, [
      { line: 2, commands: [], summary: "card 04000001 already held by R00001" },
      { line: 3, commands: ["card add R00002 04000077"], summary: "card 04000077 to R00002" },
    ]);
  });

  it("a PIN reset is allowed when the row's own new card keeps the resident a way in", () => {
    // R00002 has a PIN and no card: the card added by the same row keeps a credential.
    const plan = planImport("residents", HEADER + "R00002,1-101,owner,,,,04000078,reset\n", gate(), NOW);
    assert.deepEqual(plan.problems, []);
    const state = gate();
    state.residents[1] = { ...state.residents[1], cards: ["04000079"] };
    const kept = planImport("residents", HEADER + "R00002,1-101,owner,,,,04000080,reset\n", state, NOW);
    assert.deepEqual(kept.problems, [], "one card held and one added: still a way in");
    assert.deepEqual(kept.rows[0].commands.slice(1), ["card add R00002 04000080", "pin reset R00002"]);
  });

  it("reports each row's outcome exactly, also when a reply carries no data", async () => {
    const plan = planImport("residents", HEADER + ",3-1202,owner,,,,04A1B2D9,\n", gate(), NOW);
    const cards = planImport("cards", "resident,uid\nR00001,04000081\n", gate(), NOW);
    assert.deepEqual(await applyPlan(async () => ({ ok: true }), plan), [{ line: 2, ok: true, message: "add unit 3-1202 owner with 1 card(s)" }]);
    assert.deepEqual(await applyPlan(async () => ({ ok: true, data: { id: "R00005" } }), cards), [{ line: 2, ok: true, message: "card 04000081 to R00001" }]);
  });

  it("a fault in the planner itself is thrown, not reported as a bad row", () => {
    const state = gate();
    (state as { groups: unknown }).groups = undefined;
    assert.throws(() => planImport("residents", HEADER + ",1-1,owner,,,all,04A1B2DA,\n", state, NOW), TypeError);
  });
});
