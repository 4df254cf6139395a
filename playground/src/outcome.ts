/**
 * What became of a command, sorted for the person who sent it: accepted (events recorded), rejected
 * by `decide` (a business refusal, typed by the domain), refused because the stream has ended
 * (terminal, archived or deleted), or failed in the infrastructure (store, codec) — shown
 * differently, because they mean different things.
 */
import type { CommandHandler } from "@chronicle/runtime"
import { Cause, Exit } from "effect"
import { h } from "./dom.ts"
import type { HandleError } from "./domains.ts"
import { tagOf } from "./payload.ts"
import { show } from "./plain.ts"

/** The outcome of handling one command. */
export type Outcome =
  | { readonly _tag: "Accepted"; readonly handled: CommandHandler.Handled<unknown, unknown> }
  | { readonly _tag: "Rejected"; readonly streamId: string; readonly rejection: unknown }
  | { readonly _tag: "Refused"; readonly streamId: string; readonly why: string }
  | { readonly _tag: "Invalid"; readonly message: string }
  | { readonly _tag: "Failed"; readonly error: string; readonly message: string }

const describe = (error: unknown): { readonly error: string; readonly message: string } => {
  const tagged = error as { readonly _tag?: unknown; readonly message?: unknown }
  return {
    error: typeof tagged._tag === "string" ? tagged._tag : "Defect",
    message: typeof tagged.message === "string" && tagged.message !== "" ? tagged.message : String(error)
  }
}

const fromError = (error: HandleError | unknown): Outcome => {
  const tagged = error as HandleError
  switch (tagged._tag) {
    case "CommandRejected":
      return { _tag: "Rejected", streamId: tagged.streamId, rejection: tagged.rejection }
    case "StreamTerminated":
      return {
        _tag: "Refused",
        streamId: tagged.streamId,
        why: `isTerminal holds at version ${tagged.version}, so decide is not even asked (StreamTerminated)`
      }
    case "StreamClosed":
      return { _tag: "Refused", streamId: tagged.streamId, why: `the stream is ${tagged.closure.toLowerCase()} (StreamClosed)` }
    case "InvalidCommand":
      return { _tag: "Invalid", message: tagged.message }
    default:
      return { _tag: "Failed", ...describe(error) }
  }
}

/**
 * Sorts the exit of a handled command.
 *
 * @example
 * ```ts
 * const outcome = Outcome.fromExit(await session.run(domain.handle(input, trace)))
 * ```
 */
export const fromExit = (exit: Exit.Exit<CommandHandler.Handled<unknown, unknown>, unknown>): Outcome =>
  Exit.isSuccess(exit) ? { _tag: "Accepted", handled: exit.value } : fromCause(exit.cause)

/** Sorts the cause of a failure: a rejection, a refusal, or an infrastructure error. */
export const fromCause = (cause: Cause.Cause<unknown>): Outcome => fromError(Cause.squash(cause))

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** The outcome as a status message: a title, what it means, and the details as text. */
export const view = (outcome: Outcome): HTMLElement => {
  switch (outcome._tag) {
    case "Accepted": {
      const { events, streamId, version } = outcome.handled
      return h(
        "div",
        { class: "outcome accepted" },
        h("strong", {}, "Accepted"),
        ` — ${count(events.length, "event")} recorded on ${streamId}, now at version ${version}.`,
        events.length === 0 ? " decide had nothing to record: the state already says so." : null
      )
    }
    case "Rejected":
      return h(
        "div",
        { class: "outcome rejected" },
        h("strong", {}, `Rejected by decide: ${tagOf(outcome.rejection)}`),
        ` — a business refusal, typed by the domain (CommandRejected on ${outcome.streamId}). Nothing was recorded.`,
        h("code", { class: "payload" }, show(outcome.rejection))
      )
    case "Refused":
      return h(
        "div",
        { class: "outcome rejected" },
        h("strong", {}, `Refused: ${outcome.streamId} has ended`),
        ` — ${outcome.why}. Nothing was recorded.`
      )
    case "Invalid":
      return h("div", { class: "outcome failed" }, h("strong", {}, "Invalid command"), ` — ${outcome.message}`)
    case "Failed":
      return h(
        "div",
        { class: "outcome failed" },
        h("strong", {}, `Infrastructure error: ${outcome.error}`),
        " — the store or the codec failed; this is not a decision of the domain.",
        h("code", { class: "payload" }, outcome.message)
      )
  }
}
