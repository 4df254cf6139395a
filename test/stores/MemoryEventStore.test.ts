/**
 * The in-memory layer, the reference implementation, passes the EventStore contract.
 */
import { MemoryEventStore } from "@chronicle/store-memory"
import { describe, it } from "@effect/vitest"
import { EventStoreContract } from "@chronicle/testing"

EventStoreContract.register({ describe, it }, { name: "memory", makeLayer: () => MemoryEventStore.layer })
