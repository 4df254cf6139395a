/**
 * The concurrency demo: two writers send a command to the same stream at the same moment. Both load
 * the stream and decide on the same version — a gate holds each writer after its first load until
 * both have loaded — so one append wins and the other fails with a conflict (optimistic
 * concurrency). The CommandHandler then reloads, decides again on the new state and retries. Each
 * writer's steps come from its own Inspector, so they are drawn in two lanes.
 */
import { EventStore, Inspector } from "@chronicle/runtime"
import { Effect, Latch, Ref, Stream } from "effect"
import { fill, h } from "./dom.ts"
import type { Domain } from "./domains.ts"
import { newId } from "./ids.ts"
import { type Outcome, view } from "./outcome.ts"
import { inline, tagOf } from "./payload.ts"

/** The writers, by lane. */
const lanes = ["A", "B"] as const

/**
 * Wraps a store so that the first `writers` reads wait for each other: every writer has loaded the
 * stream before any of them appends. Later reads (the retry's reload) pass straight through.
 * `release` opens the gate for good, for a writer that ends without having read.
 */
const gate = (store: EventStore.Service, writers: number) =>
  Effect.gen(function*() {
    const latch = yield* Latch.make(false)
    const arrived = yield* Ref.make(0)
    const arrive = Ref.updateAndGet(arrived, (n) => n + 1).pipe(
      Effect.flatMap((n) => n >= writers ? latch.open : Effect.void),
      Effect.andThen(latch.await)
    )
    const gated: EventStore.Service = {
      ...store,
      read: (streamId, range) => Stream.concat(store.read(streamId, range), Stream.fromEffectDrain(arrive))
    }
    return { store: gated, release: latch.open }
  })

/**
 * Runs the demo on stream `id` of `domain`: sets the stream up if it is new, then races the two
 * writers. `report` gets each writer's Inspector steps as they happen.
 */
export const race = (
  domain: Domain,
  id: string,
  report: (lane: number, inspection: Inspector.Inspection) => void
) =>
  Effect.gen(function*() {
    const store = yield* EventStore.EventStore
    const { setup, writers } = domain.race(id)
    const run = newId("race")
    if ((yield* Stream.runCount(store.read(domain.streamOf(id)))) === 0) {
      for (const command of setup) yield* Effect.exit(domain.handle(command, { correlationId: run, causationId: `${run}/setup` }))
    }
    const gated = yield* gate(store, writers.length)
    const writer = (command: unknown, lane: number) =>
      domain.handle(command, { correlationId: run, causationId: `${run}/${lanes[lane]}` }).pipe(
        Effect.provideService(Inspector.Inspector, { inspect: (inspection) => Effect.sync(() => report(lane, inspection)) }),
        Effect.ensuring(gated.release),
        Effect.exit
      )
    return yield* Effect.all(writers.map(writer), { concurrency: "unbounded" }).pipe(
      Effect.provideService(EventStore.EventStore, gated.store)
    )
  })

const describe = (inspection: Inspector.Inspection): string => {
  switch (inspection._tag) {
    case "CommandReceived":
      return `${tagOf(inspection.command)} received: load ${inspection.streamId}.`
    case "Decided":
      return `Loaded v${inspection.version}; decide → ${inspection.events.length === 0 ? "no events" : inspection.events.map(tagOf).join(", ")}.`
    case "Rejected":
      return `Loaded v${inspection.version}; decide → rejection ${tagOf(inspection.rejection)}.`
    case "Conflicted":
      return `append(expected v${inspection.expected}) → CONFLICT: the stream is at v${inspection.actual}. Reload and retry.`
    case "Appended":
      return `Appended ${inspection.events.map((event) => `v${event.version} (#${event.position})`).join(", ")}.`
  }
}

/** The demo panel. */
export interface RaceView {
  readonly element: HTMLElement
  /** Shows the demo for a domain. */
  readonly show: (domain: Domain) => void
}

/** Makes the panel; `run` runs {@link race} on the current store and sorts the writers' outcomes. */
export const make = (
  run: (domain: Domain, id: string, report: (lane: number, inspection: Inspector.Inspection) => void) => Promise<ReadonlyArray<Outcome>>
): RaceView => {
  const input = h("input", { attrs: { id: "race-id", type: "text", value: "shared", autocomplete: "off", spellcheck: false } })
  const button = h("button", { class: "primary", attrs: { type: "submit" } }, "Run two writers")
  const story = h("p", { class: "muted" })
  const laneViews = lanes.map((lane) => {
    const title = h("h3", {}, `Writer ${lane}`)
    const steps = h("ol", { class: "lane-steps" })
    const result = h("div", { class: "lane-result" })
    const element = h("section", { class: "lane", attrs: { "data-lane": lane } }, title, steps, result)
    return { title, steps, result, element }
  })
  const summary = h("p", { class: "race-summary", attrs: { role: "status", id: "race-summary" } })
  const form = h(
    "form",
    { class: "inline-form" },
    h("label", { attrs: { for: "race-id" } }, "Stream id"),
    input,
    button
  )
  const element = h("div", {}, story, form, h("div", { class: "lanes" }, ...laneViews.map((lane) => lane.element)), summary)
  let domain: Domain | undefined

  form.addEventListener("submit", async (event) => {
    event.preventDefault()
    const id = input.value.trim()
    if (domain === undefined || button.disabled) return
    if (id === "") {
      summary.textContent = "Enter the id of the stream the writers race on."
      input.focus()
      return
    }
    button.disabled = true
    const conflicts: Array<string> = []
    for (const lane of laneViews) {
      lane.steps.replaceChildren()
      lane.result.replaceChildren()
      lane.element.removeAttribute("data-conflicted")
    }
    summary.textContent = "Both writers are loading the stream…"
    const outcomes = await run(domain, id, (index, inspection) => {
      const lane = laneViews[index]!
      lane.steps.append(h("li", { class: inspection._tag === "Conflicted" ? "conflict" : "" }, describe(inspection)))
      if (inspection._tag === "Conflicted") {
        lane.element.setAttribute("data-conflicted", "true")
        conflicts.push(lanes[index]!)
      }
    })
    outcomes.forEach((outcome, index) => fill(laneViews[index]!.result, view(outcome)))
    summary.textContent = conflicts.length === 0
      ? "No conflict this time: at most one writer had something to append."
      : `${conflicts.length} conflict${conflicts.length === 1 ? "" : "s"}: writer ${conflicts.join(", ")} found the stream moved on, reloaded it, decided again on the new state and retried.`
    button.disabled = false
  })

  const titles = () => {
    if (domain === undefined) return
    const { writers } = domain.race(input.value.trim() || "…")
    laneViews.forEach((lane, index) => {
      lane.title.textContent = `Writer ${lanes[index]}: ${tagOf(writers[index])} (${inline(writers[index])})`
    })
  }
  input.addEventListener("input", titles)

  return {
    element,
    show: (next) => {
      domain = next
      const [a, b] = next.race("…").writers
      story.textContent = `Writer A sends ${tagOf(a)} and writer B sends ${tagOf(b)} to the same ${next.title.toLowerCase()} at once.` +
        " Both decide on the same version; the store accepts only one append per version."
      titles()
      for (const lane of laneViews) {
        lane.steps.replaceChildren()
        lane.result.replaceChildren()
      }
      summary.textContent = ""
    }
  }
}
