import { apiToken } from "./apiToken";
import { oauth2 } from "./oauth2";

export { apiToken, oauth2 };
export default [oauth2, apiToken];
