/**
 * `@chronicle/examples`: four small domains that teach the decider pattern, ready to import into
 * an app, a test or the playground.
 *
 * @since 0.1.0
 */

/** A bank account: open, deposit, withdraw, no overdraft; balances and last-activity read models. */
export * as BankAccount from "./BankAccount.ts"

/** A user: register, change e-mail, deactivate for good. */
export * as User from "./User.ts"

/** Chassaing's light bulb: fit, switch on and off, until it blows. */
export * as Bulb from "./Bulb.ts"

/** A shopping cart: add and remove items, confirm; a cart-summary read model. */
export * as ShoppingCart from "./ShoppingCart.ts"
