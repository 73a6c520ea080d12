import { dealActions } from "./deals";

export default { ...dealActions };
