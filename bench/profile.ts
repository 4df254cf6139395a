/**
 * Summarises V8 CPU profiles (`npm run bench -- --profile`, `node --cpu-prof`, Chromium's
 * `Profiler`) as the functions with the most self time: the evidence the benchmark's findings rest
 * on. Several files are summed into one table (e.g. every Chronicle run of a workload).
 *
 * ```sh
 * npm run bench -- --only W4 --profile
 * npx node bench/profile.ts bench-results/profiles/W4-*.cpuprofile [--top 25] [--filter text]
 * ```
 *
 * The profiler's own work (`node:inspector`) and idle time are left out. Time is grouped by function (name, file, line): self time by default, or with `--inclusive` the
 * time spent in a function and everything it called (each sample counted once per function, even
 * under recursion). `--filter` keeps the functions whose line contains the text (e.g. `packages/`
 * for Chronicle's own code). `--files` groups by file instead of by function. Paths are shown from
 * the repository.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"

interface Node {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "25" },
    filter: { type: "string" },
    inclusive: { type: "boolean", default: false },
    files: { type: "boolean", default: false }
  }
})

const root = new URL("../", import.meta.url).href

const ignored = (node: Node) => node.callFrame.url === "node:inspector" || node.callFrame.functionName === "(idle)"

const time = new Map<string, number>()
let total = 0
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const keyOf = (node: Node) => {
    const { functionName, lineNumber, url } = node.callFrame
    const where = url.replace(root, "").replace("file://", "")
    if (values.files) return where === "" ? `${functionName}` : where
    return `${functionName || "(anonymous)"}  ${where}${where === "" ? "" : `:${lineNumber + 1}`}`
  }
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    if (ignored(byId.get(id)!)) return
    const keys = new Set<string>()
    for (let node: number | undefined = id; node !== undefined; node = values.inclusive ? parent.get(node) : undefined) {
      keys.add(keyOf(byId.get(node)!))
    }
    for (const key of keys) time.set(key, (time.get(key) ?? 0) + delta)
    total += delta
  })
}

const rows = [...time].filter(([key]) => values.filter === undefined || key.includes(values.filter))
  .sort(([, a], [, b]) => b - a)
  .slice(0, Number(values.top))
console.log(`${positionals.length} profile(s), ${(total / 1000).toFixed(0)} ms sampled, ${values.inclusive ? "inclusive" : "self"} time`)
for (const [key, micros] of rows) {
  console.log(`${(micros / 1000).toFixed(1).padStart(9)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`)
}
