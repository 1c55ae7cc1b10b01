// ISO/IEC 14443-3 CRC_A (CRC-16/ISO-IEC-14443-3-A): reflected polynomial
// 0x8408, preset 0x6363, no final XOR. The models compute it independently of
// the driver, which asks the chip's CalcCRC coprocessor instead.
export function crcA(bytes: ArrayLike<number>, length = bytes.length, preset = 0x6363): number {
  let crc = preset;
  for (let i = 0; i < length; i++) {
    let b = (bytes[i] ^ crc) & 0xff;
    b = (b ^ (b << 4)) & 0xff;
    crc = ((crc >> 8) ^ (b << 8) ^ (b << 3) ^ (b >> 4)) & 0xffff;
  }
  return crc;
}
