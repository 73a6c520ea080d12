/**
 * A real Redis for the tests: Debian's /usr/bin/redis-server (installed by the global setup when
 * missing) on a free loopback port, no persistence, in a temporary directory; started per test file
 * and stopped in its afterAll.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const REDIS_SERVER = "/usr/bin/redis-server";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket (no client, so nothing reconnects behind our back). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export class RedisServer {
  private child: ChildProcess | null = null;
  private output = "";

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** On a free port; a port taken between the probe and the start (another test file) means another try. */
  static async start(): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort(), mkdtempSync(path.join(tmpdir(), "pd-redis-")));
      try {
        await server.resume();
        return server;
      } catch (error) {
        await server.dispose();
        if (attempt === 3) throw error;
      }
    }
  }

  /** Starts (again) on the same port; an empty database, since nothing is persisted. */
  async resume(): Promise<void> {
    if (this.child) return;
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    const child = spawn(REDIS_SERVER, [...args, "--dir", this.dir], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout?.on("data", (d) => {
      this.output = (this.output + d.toString()).slice(-4000);
    });
    child.stderr?.on("data", (d) => {
      this.output = (this.output + d.toString()).slice(-4000);
    });
    child.once("exit", () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`redis-server exited at start:\n${this.output}`);
      if (await ping(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`redis-server did not answer PING on port ${this.port} within 10 s:\n${this.output}`);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      this.child = null;
      return;
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Stops it and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
