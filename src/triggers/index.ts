import { webhookTriggers } from "./catalogue";
import { matchingFilterTriggers } from "./filterPoll";
import { pollChangesTrigger } from "./poll";

export default { ...webhookTriggers, pollChangesTrigger, ...matchingFilterTriggers };
