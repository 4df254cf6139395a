/**
 * The decider's three signatures, for the current domain, with the part at work highlighted as a
 * command flows: `decide` while deciding, `evolve` while the events are folded, `initialState` when a
 * stream starts from nothing.
 */
import { h } from "./dom.ts"
import type { Domain } from "./domains.ts"
import { show } from "./plain.ts"

/** A part of the decider. */
export type Part = "initialState" | "decide" | "evolve"

/** The signatures panel. */
export interface Signatures {
  readonly element: HTMLElement
  /** Shows the signatures and vocabulary of a domain. */
  readonly show: (domain: Domain) => void
  /** Highlights the parts at work (none: clears). */
  readonly highlight: (parts: ReadonlyArray<Part>) => void
}

const line = (part: Part, signature: string, note: string) =>
  h(
    "div",
    { class: "signature", attrs: { "data-part": part } },
    h("code", {}, h("span", { class: "name" }, part), signature),
    h("span", { class: "note" }, note)
  )

const vocabulary = (title: string, tags: ReadonlyArray<string>) =>
  h("div", { class: "vocabulary" }, h("span", { class: "label" }, title), ...tags.map((tag) => h("span", { class: "tag" }, tag)))

/** Makes the panel. */
export const make = (): Signatures => {
  const initial = h("code", { class: "initial" })
  const lines = [
    line("initialState", ": State", "the state before any event"),
    line("decide", ": (command: Command, state: State) => Result<Event[], Rejection>", "what happens, or why not"),
    line("evolve", ": (state: State, event: Event) => State", "what the state becomes")
  ]
  const words = h("div", { class: "vocabularies" })
  const element = h(
    "div",
    { class: "signatures" },
    h("div", { class: "lines" }, ...lines),
    h("p", { class: "initial-state" }, "initialState = ", initial),
    words
  )
  return {
    element,
    show: (domain) => {
      initial.textContent = show(domain.initialState)
      words.replaceChildren(
        vocabulary("Commands", domain.vocabulary.commands),
        vocabulary("Events", domain.vocabulary.events),
        vocabulary("Rejections", domain.vocabulary.rejections)
      )
    },
    highlight: (parts) => {
      for (const signature of lines) signature.classList.toggle("lit", parts.includes(signature.dataset["part"] as Part))
    }
  }
}
