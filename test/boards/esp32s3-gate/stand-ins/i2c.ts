import { hw } from "./rig";
export default hw.io.I2C;
