/**
 * Time travel over one stream: a slider over its versions shows the state at that version — the
 * fold of its events up to there, `Decider.fold` — and what changed from the version before.
 */
import type { Envelope } from "@chronicle/core"
import { Result } from "effect"
import { type Change, diff } from "./diff.ts"
import { fill, h } from "./dom.ts"
import type { Domain } from "./domains.ts"
import { inline } from "./payload.ts"
import { show, showPretty } from "./plain.ts"

/** The time-travel panel. */
export interface TimeTravel {
  readonly element: HTMLElement
  /**
   * Shows the versions of a stream of `domain` (none selected: a hint), at `version` (`undefined`:
   * the latest, following new events).
   */
  readonly render: (domain: Domain, streamId: string | undefined, log: ReadonlyArray<Envelope.Recorded>, version: number | undefined) => void
}

const changeView = (change: Change) => {
  switch (change._tag) {
    case "Added":
      return h("li", { class: "added" }, h("span", { class: "sign", attrs: { "aria-label": "added" } }, "+"), ` ${change.path}: `, h("code", {}, show(change.after)))
    case "Removed":
      return h("li", { class: "removed" }, h("span", { class: "sign", attrs: { "aria-label": "removed" } }, "−"), ` ${change.path}: `, h("code", {}, show(change.before)))
    case "Changed":
      return h(
        "li",
        { class: "changed" },
        h("span", { class: "sign", attrs: { "aria-label": "changed" } }, "~"),
        ` ${change.path}: `,
        h("code", {}, show(change.before)),
        " → ",
        h("code", {}, show(change.after))
      )
  }
}

/** Makes the panel; `moved` hears of the version a person picks (`undefined`: the latest). */
export const make = (moved: (version: number | undefined) => void): TimeTravel => {
  const slider = h("input", { attrs: { type: "range", id: "version", min: 0, max: 0, value: 0, step: 1 } })
  const position = h("output", { attrs: { for: "version", id: "version-label" } })
  const event = h("p", { class: "at-event", attrs: { id: "version-event" } })
  const state = h("pre", { class: "state", attrs: { id: "version-state" } })
  const changes = h("ul", { class: "changes", attrs: { id: "version-diff" } })
  const hint = h("p", { class: "muted" })
  const body = h(
    "div",
    { class: "travel" },
    h("div", { class: "slider" }, h("label", { attrs: { for: "version" } }, "Version"), slider, position),
    event,
    h("div", { class: "travel-grid" }, h("div", {}, h("h3", { class: "sub" }, "State at this version"), state), h("div", {}, h("h3", { class: "sub" }, "Changed from the version before"), changes))
  )
  const element = h("div", {}, hint, body)
  let shown: { readonly domain: Domain; readonly streamId: string; readonly log: ReadonlyArray<Envelope.Recorded> } | undefined
  let wanted: number | undefined

  const renderVersion = () => {
    if (shown === undefined) return
    const records = shown.log.filter((record) => record.streamId === shown?.streamId)
    const history = shown.domain.history(records)
    if (Result.isFailure(history)) {
      fill(event, `Cannot replay ${shown.streamId}: ${history.failure.message}`)
      return
    }
    const { events, stateAt } = history.success
    const version = wanted === undefined ? events.length : Math.min(wanted, events.length)
    slider.max = String(events.length)
    slider.value = String(version)
    slider.setAttribute("aria-valuetext", `version ${version} of ${events.length}`)
    position.textContent = `v${version} of ${events.length}`
    const at = events[version - 1]
    const after = stateAt(version)
    fill(
      event,
      at === undefined
        ? "Version 0: no event yet — the state is initialState."
        : h("span", {}, `Event v${version} (#${at.position}): `, h("strong", {}, at.type), ` — ${inline(at.data)}`)
    )
    state.textContent = `Decider.fold(decider, events 1…${version}) =\n${showPretty(after)}`
    const changed = at === undefined ? [] : diff(stateAt(version - 1), after)
    fill(changes, ...(changed.length === 0 ? [h("li", { class: "muted" }, at === undefined ? "Nothing before version 0." : "No change.")] : changed.map(changeView)))
  }

  slider.addEventListener("input", () => {
    wanted = slider.value === slider.max ? undefined : Number(slider.value)
    renderVersion()
    moved(wanted)
  })

  return {
    element,
    render: (domain, streamId, log, version) => {
      wanted = version
      if (streamId === undefined) {
        shown = undefined
        body.hidden = true
        hint.textContent = "Send a command or pick a stream above to travel through its versions."
        return
      }
      shown = { domain, streamId, log }
      body.hidden = false
      hint.textContent = `Stream ${streamId}: move the slider (or use the arrow keys) to replay its events one by one.`
      renderVersion()
    }
  }
}
