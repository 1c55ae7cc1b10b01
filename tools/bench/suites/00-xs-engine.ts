// Calibration: the same integer loop in Node (ns) and in XS (computrons), so
// later figures can be read against what the engine costs for plain work.
import { nsPerCall, xsComputrons, type BenchSuite } from "../harness";

function sumTo(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i) | 0;
  return s;
}

const suite: BenchSuite = {
  name: "xs-engine",
  async run() {
    const computrons = await xsComputrons({
      imports: "",
      setup: "let s = 0;",
      op: "for (let j = 0; j < 1000; j++) s = (s + j) | 0;",
    });
    return [
      { case: "1,000-step integer loop in XS", value: computrons, unit: "computrons" },
      { case: "1,000-step integer loop in Node", value: nsPerCall(() => sumTo(1000), 10_000), unit: "ns" },
    ];
  },
};
export default suite;
