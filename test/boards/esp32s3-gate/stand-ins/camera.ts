import { hw } from "./rig";
export default hw.io.Camera;
