import assert from "node:assert/strict";
import { tokenize } from "../../../src/core/console/tokenize";

describe("console tokenizer", () => {
  it("splits on spaces and tabs", () => {
    assert.deepEqual(tokenize("  resident\tadd   R-1 "), ["resident", "add", "R-1"]);
    assert.deepEqual(tokenize(""), []);
  });

  it("keeps quoted spaces, joins adjacent parts, allows empty quotes", () => {
    assert.deepEqual(tokenize(`holiday add 2027-02-17 "Spring Festival"`), ["holiday", "add", "2027-02-17", "Spring Festival"]);
    assert.deepEqual(tokenize(`a 'b c'"d e"f ''`), ["a", "b cd ef", ""]);
  });

  it('handles \\" and \\\\ inside double quotes, and single quotes literally', () => {
    assert.deepEqual(tokenize(`"say \\"hi\\" \\\\ \\n"`), [`say "hi" \\ \\n`]);
    assert.deepEqual(tokenize(`'it\\'`), ["it\\"]);
  });

  it("refuses unterminated quotes with the column", () => {
    assert.throws(() => tokenize(`notice set --purpose "open`), { code: "E_UNTERMINATED_QUOTE", message: /column 22/ });
    assert.throws(() => tokenize(`x 'y`), { code: "E_UNTERMINATED_QUOTE", message: /'/ });
    assert.throws(() => tokenize(`"a\\"`), { code: "E_UNTERMINATED_QUOTE" });
  });
});
