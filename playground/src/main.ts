/**
 * Entry point of the playground: starts the page.
 */
import { start } from "./app.ts"

start()
