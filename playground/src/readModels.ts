/**
 * The read models of the current domain, live: each Projector's state and the position it has
 * reached, updated as events arrive. "Rebuild" replays every read model from position 0 and says
 * whether the result is the same as the one built live — it must be (incremental = rebuild).
 */
import type { Projector } from "@chronicle/runtime"
import { fill, h } from "./dom.ts"
import type { Domain, ReadModel } from "./domains.ts"
import * as Payload from "./payload.ts"
import { entriesOf, samePlain } from "./plain.ts"

/** A rebuild: the read model just before, and after replaying from zero. */
export interface Rebuilt {
  readonly before: Projector.Checkpointed<unknown>
  readonly after: Projector.Checkpointed<unknown>
}

/** The read models panel. */
export interface ReadModelsView {
  readonly element: HTMLElement
  /** Shows the read models of a domain, empty until `update` (or `stopped`) fills them. */
  readonly show: (domain: Domain) => void
  /** A read model changed. */
  readonly update: (key: string, checkpoint: Projector.Checkpointed<unknown>) => void
  /** A read model's projector stopped: says why in its place, until a rebuild starts it again. */
  readonly stopped: (key: string, error: Projector.ProjectorError) => void
}

// In the state's own order: a Map keyed "b", "10", "2" shows b, 10, 2.
const entries = (state: unknown): ReadonlyArray<readonly [string, unknown]> => entriesOf(state) ?? [["value", state]]

const verdict = (model: ReadModel, { after, before }: Rebuilt): string => {
  const replayed = `${model.title}: replayed from #0 to #${after.position}`
  if (after.position !== before.position) return `${replayed}; the live model was at #${before.position} (events arrived meanwhile).`
  return samePlain(before.state, after.state)
    ? `${replayed} — identical to the live read model ✓`
    : `${replayed} — DIFFERENT from the live read model ✗`
}

/** Makes the panel; `rebuild` replays one read model from zero. */
export const make = (rebuild: (model: ReadModel) => Promise<Rebuilt | string>): ReadModelsView => {
  const models = h("div", { class: "models" })
  const button = h("button", { attrs: { type: "button", id: "rebuild" } }, "Rebuild from zero")
  const report = h("ul", { class: "rebuild-report", attrs: { id: "rebuild-report" } })
  // The list is announced through a live region around it (a list cannot be a status itself).
  const element = h("div", {}, models, h("div", { class: "actions" }, button), h("div", { attrs: { role: "status" } }, report))
  const views = new Map<string, { readonly position: HTMLElement; readonly cards: HTMLElement }>()
  let domain: Domain | undefined

  const update = (key: string, checkpoint: Projector.Checkpointed<unknown>) => {
    const view = views.get(key)
    if (view === undefined) return
    view.position.textContent = `at #${checkpoint.position}`
    const items = entries(checkpoint.state)
    fill(
      view.cards,
      ...(items.length === 0
        ? [h("p", { class: "muted" }, "Empty: no event yet.")]
        : items.map(([name, value]) => h("div", { class: "card", attrs: { "data-key": name } }, h("div", { class: "card-key" }, name), Payload.view(value, true))))
    )
  }

  const stopped = (key: string, error: Projector.ProjectorError) => {
    const view = views.get(key)
    if (view === undefined) return
    view.position.textContent = "stopped"
    fill(
      view.cards,
      h(
        "p",
        { class: "model-stopped", attrs: { role: "alert" } },
        h("strong", {}, `Stopped: ${error._tag}`),
        ` — ${error.message} The read model stays as it was; "Rebuild from zero" starts it again.`
      )
    )
  }

  button.addEventListener("click", async () => {
    if (domain === undefined) return
    button.disabled = true
    fill(report, h("li", {}, "Rebuilding…"))
    const lines = []
    for (const model of domain.readModels) {
      const rebuilt = await rebuild(model)
      lines.push(typeof rebuilt === "string" ? `${model.title}: ${rebuilt}` : verdict(model, rebuilt))
    }
    fill(report, ...lines.map((line) => h("li", {}, line)))
    button.disabled = false
  })

  return {
    element,
    show: (next) => {
      domain = next
      views.clear()
      report.replaceChildren()
      fill(
        models,
        ...next.readModels.map((model) => {
          const position = h("span", { class: "position" })
          const cards = h("div", { class: "cards" })
          views.set(model.key, { position, cards })
          return h(
            "section",
            { class: "model", attrs: { "data-model": model.key, "aria-labelledby": `model-${model.key}` } },
            h("h3", { attrs: { id: `model-${model.key}` } }, model.title, " ", position),
            h("p", { class: "muted" }, model.description),
            cards
          )
        })
      )
    },
    update,
    stopped
  }
}
