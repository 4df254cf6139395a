/**
 * The flow of the last command, drawn as five stages — command → decide → events → store →
 * projections — and played step by step from what the runtime reports: the Inspector's steps
 * (received, decided on a state or rejected, conflicted, appended) and then the read models catching
 * up. Each step lights its stage and adds a line to a plain-text account of the flow.
 */
import type { Envelope } from "@chronicle/core"
import type { Inspector } from "@chronicle/runtime"
import { type Child, fill, h } from "./dom.ts"
import * as Payload from "./payload.ts"
import { tagOf } from "./payload.ts"
import type { Part } from "./signatures.ts"

/** One step of a command's flow. */
export type Step =
  | { readonly _tag: "Received"; readonly streamId: string; readonly command: unknown }
  | { readonly _tag: "Decided"; readonly version: number; readonly state: unknown; readonly events: ReadonlyArray<unknown> }
  /** What `decide` returned, shown on its own stage after the decision. */
  | { readonly _tag: "Emitted"; readonly events: ReadonlyArray<unknown> }
  | { readonly _tag: "Rejected"; readonly version: number; readonly state: unknown; readonly rejection: unknown }
  | { readonly _tag: "Conflicted"; readonly expected: number; readonly actual: number }
  | { readonly _tag: "Appended"; readonly events: ReadonlyArray<Envelope.Recorded> }
  | {
    readonly _tag: "Projected"
    readonly streamId: string
    readonly version: number
    readonly state: unknown
    readonly models: ReadonlyArray<{ readonly title: string; readonly position: number }>
  }
  /** The stream accepts no command any more: terminal, archived or deleted. */
  | { readonly _tag: "Refused"; readonly why: string }
  | { readonly _tag: "Failed"; readonly error: string; readonly message: string }

/**
 * The steps an Inspector report stands for: one each, but a decision is two — deciding, then the
 * events it returned.
 *
 * @example
 * ```ts
 * flow.push(...Flow.fromInspection({ _tag: "Conflicted", streamId: "account-a", expected: 1, actual: 2, trace }))
 * ```
 */
export const fromInspection = (inspection: Inspector.Inspection): ReadonlyArray<Step> => {
  switch (inspection._tag) {
    case "CommandReceived":
      return [{ _tag: "Received", streamId: inspection.streamId, command: inspection.command }]
    case "Decided":
      return [
        { _tag: "Decided", version: inspection.version, state: inspection.state, events: inspection.events },
        { _tag: "Emitted", events: inspection.events }
      ]
    case "Rejected":
      return [{ _tag: "Rejected", version: inspection.version, state: inspection.state, rejection: inspection.rejection }]
    case "Conflicted":
      return [{ _tag: "Conflicted", expected: inspection.expected, actual: inspection.actual }]
    case "Appended":
      return [{ _tag: "Appended", events: inspection.events }]
  }
}

type StageName = "command" | "decide" | "events" | "store" | "projections"

type Status = "idle" | "active" | "done" | "rejected" | "conflict" | "failed"

/** The flow panel. */
export interface Flow {
  readonly element: HTMLElement
  /** Starts the flow of a new command: clears the stages and the lit signatures, drops steps not yet played. */
  readonly begin: () => void
  /** Adds steps; they play after the ones before them. */
  readonly push: (...steps: ReadonlyArray<Step>) => void
  /** Settles once every step pushed so far has played (at once if none is waiting). */
  readonly played: () => Promise<void>
}

const stages: ReadonlyArray<{ readonly name: StageName; readonly title: string; readonly fn: string }> = [
  { name: "command", title: "Command", fn: "handle(command)" },
  { name: "decide", title: "Decide", fn: "decide(command, state)" },
  { name: "events", title: "Events", fn: "Result<Event[], Rejection>" },
  { name: "store", title: "Store", fn: "append(stream, events, expected)" },
  { name: "projections", title: "Projections", fn: "evolve(state, event)" }
]

const paces: ReadonlyArray<{ readonly label: string; readonly millis: number }> = [
  { label: "Slow", millis: 1200 },
  { label: "Normal", millis: 600 },
  { label: "Instant", millis: 0 }
]

const payload = Payload.view

const eventList = (events: ReadonlyArray<unknown>) =>
  h("ul", { class: "items" }, ...events.map((event) => h("li", {}, h("strong", {}, tagOf(event)), payload(event))))

const time = (millis: number) => new Date(millis).toISOString().slice(11, 23)

const recordedList = (events: ReadonlyArray<Envelope.Recorded>) =>
  h(
    "ul",
    { class: "items" },
    ...events.map((event) =>
      h(
        "li",
        {},
        h("strong", {}, event.type),
        payload({
          version: `v${event.version}`,
          position: `#${event.position}`,
          recorded: time(event.metadata.recordedAt),
          "event id": `${event.metadata.eventId.slice(0, 8)}…`,
          ...(event.metadata.correlationId === undefined ? {} : { correlation: event.metadata.correlationId })
        })
      )
    )
  )

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/**
 * Makes the panel; `highlight` lights the decider's signatures as steps play, and `reached` hears
 * of each step as it plays (the page shows the log and read models when the flow gets to them).
 */
export const make = (highlight: (parts: ReadonlyArray<Part>) => void, reached: (step: Step) => void = () => undefined): Flow => {
  const bodies = new Map<StageName, HTMLElement>()
  const boxes = new Map<StageName, HTMLElement>()
  const diagram = h(
    "ol",
    { class: "stages" },
    ...stages.map(({ fn, name, title }) => {
      const body = h("div", { class: "stage-body" })
      const box = h(
        "li",
        { class: "stage", attrs: { "data-stage": name, "data-status": "idle" } },
        h("h3", {}, title),
        h("code", { class: "fn" }, fn),
        body
      )
      bodies.set(name, body)
      boxes.set(name, box)
      return box
    })
  )
  const account = h("ol", { class: "steps", attrs: { "aria-live": "polite", id: "flow-steps" } })
  const pace = h(
    "select",
    { attrs: { id: "pace" } },
    ...paces.map(({ label, millis }) => h("option", { attrs: { value: millis, selected: label === "Normal" } }, label))
  )
  const element = h(
    "div",
    { class: "flow" },
    h("div", { class: "flow-controls" }, h("label", { attrs: { for: "pace" } }, "Animation"), pace),
    diagram,
    h("h3", { class: "sub" }, "Step by step"),
    account
  )

  const set = (name: StageName, status: Status, ...content: ReadonlyArray<Child>) => {
    boxes.get(name)?.setAttribute("data-status", status)
    const body = bodies.get(name)
    if (content.length > 0 && body !== undefined) fill(body, ...content)
  }
  const note = (text: string) => account.append(h("li", {}, text))
  let attempts = 0

  const apply = (step: Step) => {
    switch (step._tag) {
      case "Received":
        attempts = 0
        set("command", "active", h("p", {}, h("strong", {}, tagOf(step.command)), ` → ${step.streamId}`), payload(step.command))
        highlight([])
        return note(`Command ${tagOf(step.command)} received for stream ${step.streamId}.`)
      case "Decided": {
        attempts++
        set("command", "done")
        set(
          "decide",
          "active",
          h("p", {}, `State at v${step.version}${attempts > 1 ? ` (attempt ${attempts})` : ""}:`),
          payload(step.state, true)
        )
        set("events", "idle", "")
        highlight(step.version === 0 ? ["initialState", "decide"] : ["decide"])
        return note(
          `decide(command, state at v${step.version}) → ${
            step.events.length === 0 ? "no events" : `${count(step.events.length, "event")}: ${step.events.map(tagOf).join(", ")}`
          }${attempts > 1 ? ` (attempt ${attempts})` : ""}.`
        )
      }
      case "Emitted":
        set("decide", "done")
        set("events", step.events.length === 0 ? "done" : "active", step.events.length === 0 ? h("p", {}, "No events: nothing to change.") : eventList(step.events))
        if (step.events.length === 0) set("store", "idle", h("p", {}, "Nothing to append."))
        return
      case "Rejected":
        set("command", "done")
        set("decide", "rejected", h("p", {}, `State at v${step.version}:`), payload(step.state, true))
        set("events", "rejected", h("p", {}, h("strong", {}, `Rejection: ${tagOf(step.rejection)}`)), payload(step.rejection))
        set("store", "idle", h("p", {}, "Nothing appended."))
        set("projections", "idle", h("p", {}, "Unchanged."))
        highlight(["decide"])
        return note(`decide(command, state at v${step.version}) → rejection ${tagOf(step.rejection)}: nothing is recorded.`)
      case "Conflicted":
        set(
          "store",
          "conflict",
          h("p", {}, h("strong", {}, "Conflict"), ` — expected v${step.expected}, but the stream is at v${step.actual}.`),
          h("p", {}, "Another writer got there first: reload and decide again.")
        )
        highlight([])
        return note(`append(expected v${step.expected}) → conflict: the stream is at v${step.actual}. Retry: reload, decide again.`)
      case "Appended": {
        const last = step.events.at(-1)
        set("decide", "done")
        set("events", "done")
        set("store", "active", recordedList(step.events))
        highlight([])
        return note(`append → recorded ${count(step.events.length, "event")}${last === undefined ? "" : `, stream at v${last.version}, log at #${last.position}`}.`)
      }
      case "Projected":
        set("store", "done")
        set(
          "projections",
          "done",
          h("p", {}, `${step.streamId} at v${step.version}:`),
          payload(step.state, true),
          h("ul", { class: "items" }, ...step.models.map((model) => h("li", {}, `${model.title} at #${model.position}`)))
        )
        highlight(["evolve"])
        return note(`evolve → ${step.streamId} at v${step.version}; read models caught up (${step.models.map((model) => `${model.title} #${model.position}`).join(", ")}).`)
      case "Refused":
        set("command", "done")
        set("decide", "rejected", h("p", {}, h("strong", {}, "The stream has ended"), `: ${step.why}.`))
        highlight([])
        return note(`The stream has ended — ${step.why}: the command is refused before decide.`)
      case "Failed":
        set("store", "failed", h("p", {}, h("strong", {}, step.error)), h("p", {}, step.message))
        highlight([])
        return note(`Infrastructure error ${step.error}: ${step.message}`)
    }
  }

  // Steps play one after the other, `pace` apart; `begin` starts a new generation and drops the rest.
  let queue: Array<Step> = []
  let playing = false
  let waiting: Array<() => void> = []
  const play = async () => {
    playing = true
    for (let step = queue.shift(); step !== undefined; step = queue.shift()) {
      apply(step)
      reached(step)
      const millis = Number(pace.value)
      if (millis > 0) await new Promise((resolve) => setTimeout(resolve, millis))
    }
    playing = false
    const settled = waiting
    waiting = []
    for (const resolve of settled) resolve()
  }

  return {
    element,
    begin: () => {
      queue = []
      account.replaceChildren()
      for (const { name } of stages) set(name, "idle", "")
      highlight([])
    },
    push: (...steps) => {
      queue.push(...steps)
      if (!playing) void play()
    },
    played: () => playing ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve()
  }
}
