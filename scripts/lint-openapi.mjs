// `npm run lint:openapi`: writes public/openapi.json from the routes, then lints it with Redocly's recommended
// rules (redocly.yaml). Any error fails; warnings are printed. Redocly's telemetry and update check are off: nothing
// leaves the machine.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const steps = [
  [process.execPath, [join(root, "scripts", "build-openapi.mjs")]],
  [join(root, "node_modules", ".bin", "redocly"), ["lint", "public/openapi.json", "--format=stylish"]],
];
for (const [command, args] of steps) {
  const { status } = spawnSync(command, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  if (status !== 0) process.exit(status ?? 1);
}
