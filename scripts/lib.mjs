// Shared by the local scripts: wrangler's environment (no outside network) and a child-process runner.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

export const root = join(import.meta.dirname, "..");

// node_modules/.bin first: the `node` package there is Node 22, which wrangler needs, even when a script is
// started by an older system node.
export const wranglerEnv = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_LOG_SANITIZE: "true",
};

/**
 * Local state (the D1 database, caches): wrangler's default, .wrangler/state, unless BEIAN_STATE_DIR names another
 * directory, so a test run can start from empty state without touching the developer's data.
 */
export const stateDir = process.env.BEIAN_STATE_DIR ? resolve(process.env.BEIAN_STATE_DIR) : undefined;
/** Arguments selecting that state, for `wrangler dev` and `wrangler d1 …` alike. */
export const localArgs = ["--local", ...(stateDir ? ["--persist-to", stateDir] : [])];
/** Where the scripts write their scratch files (the seed SQL). */
export const scratchDir = stateDir ?? join(root, ".wrangler");

const bin = (name) => join(root, "node_modules", ".bin", name);

/**
 * Runs a command to completion, stdin closed (so wrangler never waits for a confirmation). `quiet` resolves with its
 * output instead of showing it; `onStderr` receives its error output instead of the terminal.
 */
export function run(command, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin(command), args, {
      cwd: root,
      env: wranglerEnv,
      stdio: ["ignore", opts.quiet ? "pipe" : "inherit", opts.onStderr ? "pipe" : "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    if (opts.onStderr) child.stderr?.on("data", opts.onStderr);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}`)),
    );
  });
}

/**
 * .dev.vars with every variable .dev.vars.example sets: created from it when missing, and given the ones added to
 * the example since it was created (a new secret such as AUDIT_KEY), so an older copy keeps working.
 */
export function ensureDevVars() {
  const file = join(root, ".dev.vars");
  const example = readFileSync(join(root, ".dev.vars.example"), "utf8");
  if (!existsSync(file)) {
    writeFileSync(file, example);
    return;
  }
  const have = readDevVars();
  const missing = example.split("\n").filter((line) => {
    const m = /^\s*([A-Z0-9_]+)\s*=/.exec(line);
    return m && !(m[1] in have);
  });
  if (missing.length > 0) appendFileSync(file, `\n${missing.join("\n")}\n`);
}

/**
 * Starts wrangler (usually `wrangler dev`). `detached` puts it in a process group of its own, so the whole tree
 * (wrangler and its workerd) can be signalled at once; `quiet` drops its output, but for the last few kilobytes of
 * its error output, kept as `errorTail()` to explain an exit.
 */
export function startWrangler(args, { detached = false, quiet = false } = {}) {
  ensureDevVars();
  const out = quiet ? "ignore" : "inherit";
  const child = spawn(bin("wrangler"), args, {
    cwd: root,
    env: wranglerEnv,
    detached,
    stdio: ["ignore", out, quiet ? "pipe" : "inherit"],
  });
  let tail = "";
  child.stderr?.on("data", (d) => {
    tail = (tail + d).slice(-4000);
  });
  child.errorTail = () => tail;
  return child;
}

/** Reads KEY="value" lines of .dev.vars. */
export function readDevVars() {
  const file = join(root, ".dev.vars");
  if (!existsSync(file)) return {};
  const vars = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

export async function waitForHealth(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}
