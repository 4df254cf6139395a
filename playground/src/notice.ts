/**
 * The notice bar under the header: what the store did (reset, import, export) or why it could not.
 * Errors are announced as alerts, the rest as status messages; each notice can be dismissed.
 */
import { fill, h } from "./dom.ts"

/** Shows a notice: its first line as a title, the others as paragraphs. */
export type Say = (tone: "info" | "error", ...lines: ReadonlyArray<string>) => void

/** Makes the notice bar in `element`. */
export const make = (element: HTMLElement): Say => (tone, ...lines) =>
  fill(
    element,
    h(
      "div",
      { class: `notice ${tone}`, attrs: { role: tone === "error" ? "alert" : "status" } },
      ...lines.map((line, i) => i === 0 ? h("strong", {}, line) : h("p", {}, line)),
      h("button", { class: "close", attrs: { type: "button", "aria-label": "Dismiss" }, on: { click: () => element.replaceChildren() } }, "×")
    )
  )
