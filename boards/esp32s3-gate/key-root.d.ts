// Type of the host function in key-root.js: HMAC-SHA256 over the eFuse key, 32 bytes.
export function derive(label: ArrayBuffer): ArrayBuffer;
