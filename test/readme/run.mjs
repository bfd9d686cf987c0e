// The README test (`npm run test:readme`, a step of .ci/run): README.md's walk-through, pasted as a reader would,
// against a fresh service started as `npm start` starts it.
//
// Which blocks run, by the fence's info string:
//   ```sh               run, in README order, in one bash (variables carry from block to block) under
//                       `set -eo pipefail`: any command that fails fails the test. Every curl in it must use
//                       --fail-with-body, so an answer outside 2xx is a failure where the README shows success.
//   ```sh expect-error=409
//                       run, and must fail with an answer of that status (a block showing an error answer,
//                       which --fail-with-body prints); what it sets does not carry on.
//   ```shell            shown, never run: commands about the repository (install, start, tests, measurements) and
//                       alternatives the walk-through does not take (reject instead of approve, and the like).
//   anything else       (json, html, …) is output or another language, never run.
// Both `sh` and `shell` blocks are checked for what cannot be pasted: a literal "…" or "..." outside a comment
// (a placeholder), and a curl without --fail-with-body.
//
// The service: `node scripts/start.mjs` with PORT (a free port) and BEIAN_STATE_DIR (a new temporary directory),
// so the developer's .wrangler/state and port 8787 are never touched; the blocks' http://localhost:8787 becomes
// that port. Once the walk-through passes, the service is stopped and started again on the same state: the second
// banner must print the same demo registration numbers and every demo key.
//
// Options: --keep keeps the state directory; --print shows the generated bash script and exits.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "../../scripts/lib.mjs";
import { DEMO_ACCOUNTS } from "../../scripts/seed.mjs";

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (text) => console.log(`[readme ${elapsed()}] ${text}`);
const keep = process.argv.includes("--keep");

/** The fenced blocks of `markdown` in order: info string, text, and the line the fence opens on. */
export function fencedBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const [lang = "", ...words] = open[1].trim().split(/\s+/);
    blocks.push({ lang, words, text: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

/** What cannot be pasted as it is: placeholders outside comments, and curls that would hide an error answer. */
export function pasteProblems(block) {
  const problems = [];
  // Continuation lines belong to their command: check commands whole.
  const commands = block.text.replace(/\\\n/g, " ").split("\n");
  let inHeredoc = null;
  for (const command of commands) {
    if (inHeredoc) {
      if (command.trim() === inHeredoc) inHeredoc = null;
      else if (/…|\.\.\./.test(command)) problems.push(`a placeholder in: ${command.trim()}`);
      continue;
    }
    const code = command.replace(/(^|\s)#.*$/, "");
    if (/…|\.\.\./.test(code)) problems.push(`a placeholder in: ${command.trim()}`);
    if (/(^|[\s|(;&])curl\s/.test(code) && !code.includes("--fail-with-body")) {
      problems.push(`curl without --fail-with-body: ${command.trim()}`);
    }
    const heredoc = /<<-?\s*'?"?(\w+)/.exec(code);
    if (heredoc) inHeredoc = heredoc[1];
  }
  return problems;
}

/** `expect-error=<status>` of a block's info string: the error status it must end with, or null. */
export function expectedError(block) {
  const word = block.words.find((w) => w.startsWith("expect-error"));
  if (!word) return null;
  const status = /^expect-error=([45]\d\d)$/.exec(word)?.[1];
  if (!status) throw new Error(`README.md line ${block.line}: write expect-error=<status>, e.g. expect-error=409`);
  return { status };
}

/** The bash script that runs `blocks` against `baseUrl` (http://127.0.0.1:port). */
export function walkthroughScript(blocks, baseUrl) {
  const rebase = (text) => text.replaceAll("http://localhost:8787", baseUrl);
  const parts = [
    "set -eo pipefail",
    `cd ${JSON.stringify(root)}`,
    'README_BLOCK="(none)"',
    "trap 'rc=$?; if [ $rc -ne 0 ]; then echo \"README test: the block at README.md line $README_BLOCK failed (exit $rc)\" >&2; fi' EXIT",
  ];
  for (const block of blocks) {
    parts.push("", `README_BLOCK=${block.line}`, `echo "── README.md line ${block.line}"`);
    const expected = expectedError(block);
    if (expected) {
      const fail = (why) => `{ echo "README test: the block at README.md line ${block.line} ${why}" >&2; exit 1; }`;
      parts.push(
        "README_OUT=$(mktemp)",
        "set +e",
        `(\nset -eo pipefail\n${rebase(block.text)}\n) >"$README_OUT" 2>&1`,
        "README_RC=$?",
        "set -e",
        'cat "$README_OUT"; echo',
        `[ $README_RC -ne 0 ] || ${fail("was to fail and did not")}`,
        `grep -q '"status":${expected.status}' "$README_OUT" || ${fail(`was to answer ${expected.status}`)}`,
        `echo "   (answered ${expected.status}, as the README says)"`,
      );
    } else {
      parts.push(rebase(block.text));
    }
  }
  parts.push("", 'README_BLOCK="(done)"', 'echo "── the walk-through ran to its end"');
  return `${parts.join("\n")}\n`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * `node scripts/start.mjs` in a process group of its own on `state` and `port`; resolves with its banner (what it
 * printed from "beian is running" on) and a stop function once the banner is out.
 */
function startService(state, port, timeoutMs = 180_000) {
  const child = spawn(process.execPath, [join(root, "scripts", "start.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), BEIAN_STATE_DIR: state },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // gone already
      }
      const late = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // gone already
        }
      }, 10_000);
      await exited;
      clearTimeout(late);
    }
  };
  process.on("exit", () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone already
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`npm start printed no banner within ${timeoutMs / 1000} s\n${out}\n${err}`));
    }, timeoutMs);
    const check = () => {
      // The banner is one console.log: complete once its last line is there.
      const at = out.indexOf("beian is running at");
      if (at >= 0 && /^Try: .*$/m.test(out.slice(at))) {
        clearTimeout(timer);
        resolve({ banner: out.slice(at), stop });
      }
    };
    child.stdout.on("data", (d) => {
      out += d;
      check();
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before its banner\n${out}\n${err}`));
    });
  });
}

function runBash(script) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/** The demo filings' lines of a banner: app id, status and number. */
const demoLines = (banner) =>
  banner
    .split("\n")
    .filter((l) => /^\s+wxdemo\d+/.test(l))
    .map((l) => l.trim().split(/\s+/).join(" "));

/** README.md's blocks, and what in its `sh` and `shell` blocks cannot be pasted (npm test checks this too). */
export function readReadme() {
  const blocks = fencedBlocks(readFileSync(join(root, "README.md"), "utf8"));
  const shown = blocks.filter((b) => b.lang === "sh" || b.lang === "shell");
  const problems = shown.flatMap((b) => {
    const found = pasteProblems(b);
    try {
      expectedError(b);
    } catch (e) {
      found.push(e instanceof Error ? e.message : String(e));
    }
    return found.map((p) => `README.md line ${b.line}: ${p}`);
  });
  return { blocks, problems };
}

async function main() {
  const { blocks, problems } = readReadme();
  if (problems.length > 0) {
    console.error(
      `README test: blocks that cannot be pasted as they are:\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
    process.exit(1);
  }
  const runnable = blocks.filter((b) => b.lang === "sh");
  if (process.argv.includes("--print")) {
    process.stdout.write(walkthroughScript(runnable, "http://127.0.0.1:8787"));
    return;
  }
  for (const tool of ["curl", "jq", "bash"]) {
    const found = await runBash(`command -v ${tool} >/dev/null`);
    if (found !== 0) throw new Error(`the walk-through needs ${tool}, which is not installed`);
  }

  const state = mkdtempSync(join(tmpdir(), "beian-readme-"));
  const port = await freePort();
  let service;
  try {
    say(`npm start on port ${port}, state ${state}`);
    service = await startService(state, port);
    say("service up; the walk-through:");
    const banner = service.banner;
    if (!existsSync(join(root, "samples", "id-card.png"))) throw new Error("npm start did not write samples/");
    const code = await runBash(walkthroughScript(runnable, `http://127.0.0.1:${port}`));
    if (code !== 0) throw new Error(`the walk-through failed (exit ${code})`);

    say("restarting on the same state");
    await service.stop();
    service = await startService(state, port);
    const first = demoLines(banner);
    const again = demoLines(service.banner);
    if (first.length !== 3 || first.filter((l) => /ICP备/.test(l)).length !== 2) {
      throw new Error(`the first banner should list three demo filings, two with numbers:\n${banner}`);
    }
    if (JSON.stringify(first) !== JSON.stringify(again)) {
      throw new Error(
        `the restart banner lost the demo filings:\nfirst:\n${first.join("\n")}\nagain:\n${again.join("\n")}`,
      );
    }
    const missing = DEMO_ACCOUNTS.filter((a) => !service.banner.includes(a.key));
    if (missing.length > 0) throw new Error(`the restart banner lacks the keys of ${missing.map((a) => a.id)}`);
    say(`the restart banner repeats the demo filings:\n  ${again.join("\n  ")}`);
  } finally {
    await service?.stop();
    if (keep) say(`kept ${state}`);
    else rmSync(state, { recursive: true, force: true });
  }
  say(`README walk-through passed (${runnable.length} blocks)`);
}

if (process.argv[1] === import.meta.filename) {
  main().catch((e) => {
    console.error(`README test failed after ${elapsed()}: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
