/** Webhook and polling triggers are added by the trigger factory (see README roadmap). */
export default {};
