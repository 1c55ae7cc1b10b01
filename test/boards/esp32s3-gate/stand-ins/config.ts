// mc/config as mcconfig would generate it with `gateId=3` on the command line (a string).
export default Object.freeze({ board: "esp32s3-gate", gateId: "3" });
