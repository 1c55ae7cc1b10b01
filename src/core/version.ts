export const FIRMWARE_NAME = "optgate";
export const FIRMWARE_VERSION = "0.1.0";
