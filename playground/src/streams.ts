/**
 * The streams of the current domain, side by side: one button per stream with its version. The
 * selected stream is the one time travel replays and the concurrency demo races on; the stream id
 * field of the command form follows it.
 */
import type { Envelope } from "@chronicle/core"
import { fill, h } from "./dom.ts"
import type { Domain } from "./domains.ts"

/** The streams bar. */
export interface StreamsView {
  readonly element: HTMLElement
  /** Shows the streams of `domain` found in the log, `selected` pressed. */
  readonly render: (domain: Domain, log: ReadonlyArray<Envelope.Recorded>, selected: string | undefined) => void
}

// The version of each stream of `domain` in the log, in order of first appearance.
const versions = (domain: Domain, log: ReadonlyArray<Envelope.Recorded>): ReadonlyMap<string, number> => {
  const found = new Map<string, number>()
  for (const event of log) if (domain.owns(event)) found.set(event.streamId, event.version)
  return found
}

/** Makes the bar; `select` is called with the stream a person picks. */
export const make = (select: (streamId: string) => void): StreamsView => {
  const element = h("div", { class: "streams", attrs: { role: "group", "aria-label": "Streams" } })
  return {
    element,
    render: (domain, log, selected) => {
      const streams = versions(domain, log)
      if (streams.size === 0) {
        fill(element, h("p", { class: "muted" }, `No stream yet. Send a command: its ${domain.idField} names the stream (${domain.streamPrefix}<id>).`))
        return
      }
      const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset["stream"] : undefined
      fill(
        element,
        ...[...streams].map(([streamId, version]) =>
          h(
            "button",
            {
              class: "chip",
              attrs: { type: "button", "aria-pressed": String(streamId === selected), "data-stream": streamId },
              on: { click: () => select(streamId) }
            },
            streamId,
            h("span", { class: "version" }, `v${version}`)
          )
        )
      )
      if (focused !== undefined) element.querySelector<HTMLElement>(`[data-stream="${CSS.escape(focused)}"]`)?.focus()
    }
  }
}
