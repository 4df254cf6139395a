/**
 * `npm run build:packages`: builds every workspace package for publishing, from a clean slate.
 *
 * For each package it removes `dist/` and the build's incremental state (so a renamed or deleted
 * module never ships stale), copies the root `LICENSE` in (the tarballs carry it; the copies are
 * git-ignored), then `tsc -b tsconfig.build.json` compiles the packages in dependency order (project
 * references) to ESM JavaScript, `.d.ts`, declaration maps and source maps in `dist/`.
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const packages = join(root, "packages")

for (const name of readdirSync(packages)) {
  const dir = join(packages, name)
  rmSync(join(dir, "dist"), { recursive: true, force: true })
  rmSync(join(dir, "tsconfig.build.tsbuildinfo"), { force: true })
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"))
}
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", join(root, "tsconfig.build.json")], {
  stdio: "inherit"
})
