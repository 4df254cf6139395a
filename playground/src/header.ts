/**
 * The header's controls: the domain and store pickers (radio groups), and the store's actions —
 * reset (asked twice), export and import.
 */
import { byId, h } from "./dom.ts"
import * as Domains from "./domains.ts"
import type { Domain } from "./domains.ts"
import * as Store from "./store.ts"

/** Fills the header's pickers and wires its buttons to the page's actions. */
export const wire = (options: {
  readonly domain: Domain
  readonly kind: Store.StoreKind
  readonly switchTo: (next: { readonly domain?: Domain; readonly kind?: Store.StoreKind }) => void
  readonly reset: () => Promise<void>
  readonly exportLog: () => Promise<void>
  readonly importLog: (file: File) => Promise<void>
}) => {
  const radio = (name: string, value: string, label: string, checked: boolean, onChange: () => void) =>
    h(
      "span",
      { class: "segment" },
      h("input", { attrs: { type: "radio", name, id: `${name}-${value}`, value, checked }, on: { change: onChange } }),
      h("label", { attrs: { for: `${name}-${value}` } }, label)
    )
  byId("domain-options").append(
    ...Domains.all.map((domain) =>
      radio("domain", domain.key, domain.title, domain === options.domain, () => options.switchTo({ domain }))
    )
  )
  byId("store-options").append(
    ...Store.kinds.map((kind) =>
      radio("store", kind, Store.info[kind].label, kind === options.kind, () => options.switchTo({ kind }))
    )
  )
  const reset = byId<HTMLButtonElement>("reset")
  let armed: ReturnType<typeof setTimeout> | undefined
  reset.addEventListener("click", () => {
    if (armed === undefined) {
      reset.textContent = "Confirm: erase the log"
      armed = setTimeout(() => {
        armed = undefined
        reset.textContent = "Reset store"
      }, 4000)
      return
    }
    clearTimeout(armed)
    armed = undefined
    reset.textContent = "Reset store"
    void options.reset()
  })
  byId("export").addEventListener("click", () => void options.exportLog())
  const file = byId<HTMLInputElement>("import-file")
  byId("import").addEventListener("click", () => file.click())
  file.addEventListener("change", () => {
    const chosen = file.files?.[0]
    file.value = ""
    if (chosen !== undefined) void options.importLog(chosen)
  })
}
