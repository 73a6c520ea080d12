import { PipedriveSimulator } from "../../sim";
import { call, type Receiver, startReceiver } from "./helpers";

let sim: PipedriveSimulator;
let receiver: Receiver;

beforeAll(async () => {
  sim = await PipedriveSimulator.start();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await sim.stop();
});

test("uninstallApp revokes the user's tokens and sends a Basic-authenticated DELETE to the callback URL", async () => {
  sim.registerOAuthApp({
    clientId: "uninstall-app",
    clientSecret: "uninstall-secret",
    redirectUri: `${receiver.url}/cb`,
    scopes: ["base"],
  });
  const user1 = sim.issueOAuthToken({ clientId: "uninstall-app", userId: 1 });
  const user2 = sim.issueOAuthToken({ clientId: "uninstall-app", userId: 2 });
  const otherApp = sim.issueOAuthToken({ userId: 1 });
  receiver.respond = () => 204;

  const result = await sim.uninstallApp({ clientId: "uninstall-app", userId: 1 });

  expect(result.status).toBe(204);
  expect(result.url).toBe(`${receiver.url}/cb`);
  expect(receiver.received).toHaveLength(1);
  const [hook] = receiver.received;
  expect(hook.headers.authorization).toBe(`Basic ${Buffer.from("uninstall-app:uninstall-secret").toString("base64")}`);
  expect(hook.headers["content-type"]).toBe("application/json");
  const body = hook.body as unknown as Record<string, unknown>;
  expect(body).toEqual({ client_id: "uninstall-app", company_id: 1, user_id: 1, timestamp: expect.any(String) });
  expect(Number.isNaN(Date.parse(body.timestamp as string))).toBe(false);

  expect((await call(sim, "GET", "/api/v1/users/me", { bearer: user1.access_token })).status).toBe(401);
  expect((await call(sim, "GET", "/api/v1/users/me", { bearer: user2.access_token })).status).toBe(200);
  expect((await call(sim, "GET", "/api/v1/users/me", { bearer: otherApp.access_token })).status).toBe(200);
  const refresh = await fetch(`${sim.url}/oauth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from("uninstall-app:uninstall-secret").toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: user1.refresh_token }).toString(),
  });
  expect(refresh.status).toBe(400);
});

test("uninstall notices go to loopback addresses only", async () => {
  sim.registerOAuthApp({
    clientId: "remote-app",
    clientSecret: "remote-secret",
    redirectUri: "https://app.example.com/cb",
    scopes: ["base"],
  });
  const result = await sim.uninstallApp({ clientId: "remote-app" });
  expect(result.status).toBeUndefined();
  expect(result.error).toMatch(/loopback/);
});

test("an unknown app is refused", () => {
  expect(() => sim.uninstallApp({ clientId: "nope" })).toThrow(/unknown OAuth app/);
});
