// An I2C bus with devices by 7-bit address. A transaction to an address
// nobody answers is a NACK, which the host I2C provider turns into an
// exception as the ESP32 driver does.
export interface I2cDeviceModel {
  read(into: Uint8Array): void;
  write(bytes: Uint8Array): void;
}

export class I2cBusModel {
  readonly #devices = new Map<number, I2cDeviceModel>();
  transactions = 0;

  attach(address: number, device: I2cDeviceModel): void {
    this.#devices.set(address, device);
  }

  detach(address: number): void {
    this.#devices.delete(address);
  }

  device(address: number): I2cDeviceModel {
    this.transactions++;
    const device = this.#devices.get(address);
    if (!device) throw new Error(`I2C NACK from 0x${address.toString(16)}`);
    return device;
  }
}
