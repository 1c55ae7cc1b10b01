// Globals xsnap-worker provides to scripts running inside it.
declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
declare function print(...values: unknown[]): void;
