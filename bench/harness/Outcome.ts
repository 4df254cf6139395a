/**
 * **Outcome**: what a run of a workload produced, so that every Chronicle run can be checked
 * against the plain-JavaScript baseline of the same run. A figure counts only if both did the same
 * work: the same final balances, the same stream versions and the same number of events.
 */

/**
 * The observable result of one run of a workload.
 */
export interface Outcome {
  /** Events appended or folded. */
  readonly events: number
  /** Final balance of each account, by account id. */
  readonly balances: Readonly<Record<string, number>>
  /** Final version of each stream, by stream id (absent where the work does not know versions). */
  readonly versions?: Readonly<Record<string, number>> | undefined
}

/**
 * Builds an outcome from balances kept in a `Map` (as the balances read model keeps them).
 */
export const fromBalances = (
  events: number,
  balances: ReadonlyMap<string, number>,
  versions?: ReadonlyMap<string, number>
): Outcome => ({
  events,
  balances: Object.fromEntries(balances),
  ...(versions === undefined ? {} : { versions: Object.fromEntries(versions) })
})

const canonical = (outcome: Outcome): string =>
  JSON.stringify(outcome, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
      : value)

/**
 * Whether two outcomes are the same, whatever the order of their keys.
 */
export const equals = (left: Outcome, right: Outcome): boolean => canonical(left) === canonical(right)

/**
 * A short reading of an outcome for error messages: event count, account count and a few balances.
 */
export const describe = (outcome: Outcome): string => {
  const accounts = Object.entries(outcome.balances)
  const some = accounts.slice(0, 3).map(([id, balance]) => `${id}=${balance}`).join(", ")
  const versions = outcome.versions === undefined ? "" : `, versions of ${Object.keys(outcome.versions).length} streams`
  return `${outcome.events} events, ${accounts.length} accounts (${some}${accounts.length > 3 ? ", …" : ""})${versions}`
}
