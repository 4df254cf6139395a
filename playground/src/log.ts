/**
 * The event log: every recorded event with its place (global position, stream and version), its
 * type and payload — rendered as text, never as HTML — and its metadata (time of recording, event
 * id, correlation and causation). It shows the global log or one stream's events, newest first.
 */
import type { Envelope } from "@chronicle/core"
import { h } from "./dom.ts"
import { show } from "./plain.ts"

/** The log panel. */
export interface LogView {
  readonly element: HTMLElement
  /** Shows the log (all events so far, in global order). */
  readonly render: (log: ReadonlyArray<Envelope.Recorded>) => void
}

const shown = 300

const columns = ["Position", "Stream", "Version", "Type", "Payload", "Metadata"] as const

const cell = (label: (typeof columns)[number], ...content: ReadonlyArray<string | Node>) =>
  h("td", { attrs: { "data-label": label } }, ...content)

const metadata = ({ causationId, commandId, correlationId, eventId, recordedAt, schemaVersion }: Envelope.Metadata) =>
  h(
    "dl",
    { class: "metadata" },
    ...[
      ["recorded", new Date(recordedAt).toISOString()],
      ["event id", eventId],
      ["correlation", correlationId],
      ["causation", causationId],
      ["command id", commandId === causationId ? undefined : commandId],
      ["schema", schemaVersion === undefined ? undefined : `v${schemaVersion}`]
    ].flatMap(([name, value]) => value === undefined ? [] : [h("dt", {}, name), h("dd", {}, value)])
  )

const row = (event: Envelope.Recorded) =>
  h(
    "tr",
    { attrs: { "data-position": event.position, "data-stream": event.streamId } },
    cell("Position", `#${event.position}`),
    cell("Stream", event.streamId),
    cell("Version", `v${event.version}`),
    cell("Type", h("strong", {}, event.type)),
    cell("Payload", h("code", { class: "payload" }, show(event.data))),
    cell("Metadata", metadata(event.metadata))
  )

/** Makes the panel. */
export const make = (): LogView => {
  const filter = h("select", { attrs: { id: "log-filter" } })
  const summary = h("p", { class: "muted", attrs: { id: "log-summary" } })
  const body = h("tbody")
  const table = h(
    "table",
    { class: "log" },
    h("caption", { class: "visually-hidden" }, "Recorded events, newest first"),
    h("thead", {}, h("tr", {}, ...columns.map((column) => h("th", { attrs: { scope: "col" } }, column)))),
    body
  )
  const element = h(
    "div",
    {},
    h("div", { class: "toolbar" }, h("label", { attrs: { for: "log-filter" } }, "Show"), filter, summary),
    h("div", { class: "table-wrap", attrs: { tabindex: 0, role: "region", "aria-label": "Recorded events, scrollable" } }, table)
  )
  let log: ReadonlyArray<Envelope.Recorded> = []

  const renderRows = () => {
    const stream = filter.value
    const events = stream === "" ? log : log.filter((event) => event.streamId === stream)
    body.replaceChildren(...events.slice(-shown).reverse().map(row))
    summary.textContent = `${events.length} event${events.length === 1 ? "" : "s"}${
      stream === "" ? " in the global log" : ` in ${stream}`
    }${events.length > shown ? ` (the newest ${shown} shown)` : ""}, newest first.`
  }

  let known: string | undefined
  const renderFilter = () => {
    const streams = [...new Set(log.map((event) => event.streamId))].sort()
    if (streams.join("\n") === known) return
    known = streams.join("\n")
    const chosen = filter.value
    filter.replaceChildren(
      h("option", { attrs: { value: "" } }, "Global log: all streams"),
      ...streams.map((stream) => h("option", { attrs: { value: stream, selected: stream === chosen } }, `Stream ${stream}`))
    )
  }

  filter.addEventListener("change", renderRows)
  return {
    element,
    render: (next) => {
      log = next
      renderFilter()
      renderRows()
    }
  }
}
