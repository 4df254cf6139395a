/**
 * The playground page: wires the views to the session of the chosen store. State is small — the
 * domain, the store, the selected stream and the version time travel shows, kept in the page's
 * address (`?domain=cart&store=indexeddb&stream=cart-c1&version=2`) so that a reload shows the same
 * view — and every view is re-rendered from the session's log and read models. While the flow of a
 * command plays, the log waits until the flow reaches the store, the read models until it reaches
 * the projections, and the outcome until it has played.
 */
import type { Envelope } from "@chronicle/core"
import { Inspector, LogFile } from "@chronicle/runtime"
import type { Projector } from "@chronicle/runtime"
import { Cause, Effect, Exit, Result } from "effect"
import * as CommandForm from "./commandForm.ts"
import * as Concurrency from "./concurrency.ts"
import { byId, fill, h } from "./dom.ts"
import * as Domains from "./domains.ts"
import type { Domain } from "./domains.ts"
import * as Flow from "./flow.ts"
import * as Header from "./header.ts"
import { newId } from "./ids.ts"
import * as Log from "./log.ts"
import * as Notice from "./notice.ts"
import * as Outcome from "./outcome.ts"
import * as ReadModels from "./readModels.ts"
import * as Session from "./session.ts"
import * as Signatures from "./signatures.ts"
import * as Store from "./store.ts"
import * as Streams from "./streams.ts"
import * as TimeTravel from "./timeTravel.ts"

/** A session with the read models it has reported, and the projectors it saw stop. */
interface Live {
  readonly session: Session.Session
  readonly checkpoints: Map<string, Projector.Checkpointed<unknown>>
  readonly stops: Map<string, Projector.ProjectorError>
}

const projectionTimeout = "3 seconds"

const reason = (error: unknown): string => error instanceof Error ? error.message : String(error)

const count = (n: number) => `${n} event${n === 1 ? "" : "s"}`

// A version in the address: a whole number, or none (the latest).
const versionOf = (text: string | null): number | undefined => text !== null && /^\d+$/.test(text) ? Number(text) : undefined

/** Starts the playground in the page (see `index.html` for the elements it fills). */
export const start = (): void => {
  const params = new URLSearchParams(location.search)
  let domain = Domains.byKey(params.get("domain"))
  let kind = Store.parseKind(params.get("store"))
  let selected = params.get("stream") ?? undefined
  let version = versionOf(params.get("version"))
  // While a command's flow plays: the log and the read models wait for the flow to reach them.
  let holdLog = false
  let holdModels = false
  const lives = new Map<Store.StoreKind, Live>()

  const say = Notice.make(byId("notice"))

  const signatures = Signatures.make()
  const flow = Flow.make(signatures.highlight, (step) => {
    if (step._tag === "Appended") {
      holdLog = false
      render()
    }
    if (step._tag === "Projected") {
      holdModels = false
      showModels()
    }
  })
  const log = Log.make()
  const travel = TimeTravel.make((picked) => {
    version = picked
    remember()
  })
  const outcome = byId("outcome")

  const live = (): Live => {
    const existing = lives.get(kind)
    if (existing !== undefined) return existing
    const started = open(kind)
    lives.set(kind, started)
    return started
  }

  const idOf = (streamId: string) => streamId.startsWith(domain.streamPrefix) ? streamId.slice(domain.streamPrefix.length) : streamId

  // Keeps the view in the page's address, for a reload to show it again.
  const remember = () => {
    const url = new URL(location.href)
    url.searchParams.set("domain", domain.key)
    url.searchParams.set("store", kind)
    if (selected === undefined) url.searchParams.delete("stream")
    else url.searchParams.set("stream", selected)
    if (version === undefined) url.searchParams.delete("version")
    else url.searchParams.set("version", String(version))
    history.replaceState(null, "", url)
  }

  const select = (streamId: string | undefined) => {
    selected = streamId
    version = undefined
    if (streamId !== undefined) form.setStreamId(idOf(streamId))
    remember()
    render()
  }

  // The stream shown: the selected one once the log holds it; else the domain's first stream, which
  // becomes the selection when there was none (a stream in the address may still be loading).
  const shownStream = (records: ReadonlyArray<Envelope.Recorded>): string | undefined => {
    if (selected !== undefined && records.some((event) => event.streamId === selected)) return selected
    const first = records.find((event) => domain.owns(event))?.streamId
    if (selected === undefined && first !== undefined) {
      selected = first
      form.setStreamId(idOf(first))
      remember()
    }
    return first
  }

  // Shows the read models of the domain as last reported (a stopped projector says so).
  const showModels = () => {
    const { checkpoints, stops } = live()
    for (const model of domain.readModels) {
      const stop = stops.get(model.key)
      const checkpoint = checkpoints.get(model.key)
      if (stop !== undefined) readModels.stopped(model.key, stop)
      else if (checkpoint !== undefined) readModels.update(model.key, checkpoint)
    }
  }

  const readModels = ReadModels.make(async (model) => {
    const projector = live().session.projector(model.key)
    if (projector === undefined) return "not running"
    const exit = await live().session.run(
      Effect.gen(function*() {
        const before = yield* projector.current
        const after = yield* projector.rebuild
        return { before, after }
      })
    )
    return Exit.isSuccess(exit) ? exit.value : "the rebuild failed"
  })

  const awaitModels = async (of: Domain, position: number) => {
    const { session } = live()
    const reached = await Promise.all(of.readModels.map(async (model) => {
      const projector = session.projector(model.key)
      const exit = projector === undefined
        ? undefined
        : await session.run(Effect.timeout(projector.awaitPosition(position), projectionTimeout))
      return { title: model.title, position: exit !== undefined && Exit.isSuccess(exit) ? exit.value.position : 0 }
    }))
    return reached
  }

  // The steps that end a command's flow, after the Inspector's.
  const finish = async (of: Domain, result: Outcome.Outcome) => {
    switch (result._tag) {
      case "Accepted": {
        const { events, state, streamId, version } = result.handled
        const last = events.at(-1)
        if (last !== undefined) flow.push({ _tag: "Projected", streamId, version, state, models: await awaitModels(of, last.position) })
        return
      }
      case "Rejected":
        return
      case "Refused":
        return flow.push({ _tag: "Refused", why: result.why })
      case "Invalid":
        return flow.push({ _tag: "Failed", error: "InvalidCommand", message: result.message })
      case "Failed":
        return flow.push({ _tag: "Failed", error: result.error, message: result.message })
    }
  }

  // The outcome is shown once its flow has played; the form stays disabled until then.
  const send = async (of: Domain, input: Record<string, unknown>) => {
    flow.begin()
    outcome.replaceChildren()
    holdLog = true
    holdModels = true
    const commandId = newId("cmd")
    const inspector: Inspector.Service = { inspect: (inspection) => Effect.sync(() => flow.push(...Flow.fromInspection(inspection))) }
    try {
      const exit = await live().session.run(
        of.handle(input, { correlationId: commandId, causationId: commandId, commandId }).pipe(
          Effect.provideService(Inspector.Inspector, inspector)
        )
      )
      const result = Outcome.fromExit(exit)
      await finish(of, result)
      await flow.played()
      if (of !== domain) return // the domain was switched meanwhile: its flow was dropped
      fill(outcome, Outcome.view(result))
      const streamId = result._tag === "Accepted" ? result.handled.streamId : "streamId" in result ? result.streamId : undefined
      if (streamId !== undefined) select(streamId)
    } finally {
      holdLog = false
      holdModels = false
      render()
      showModels()
    }
  }

  const form = CommandForm.make({
    defaults: (of) => new Map(Object.entries(of.examples)),
    send,
    // A form that was not sent replaces the last command's outcome, which no longer applies.
    invalid: () => outcome.replaceChildren()
  })
  const streams = Streams.make(select)
  const race = Concurrency.make(async (of, id, report) => {
    const exit = await live().session.run(Concurrency.race(of, id, report))
    if (Exit.isFailure(exit)) return [Outcome.fromCause(exit.cause)]
    select(of.streamOf(id))
    return exit.value.map(Outcome.fromExit)
  })

  // Renders of the log-driven views are batched to one per frame.
  let frame: number | undefined
  const render = () => {
    if (frame !== undefined || holdLog) return
    frame = requestAnimationFrame(() => {
      frame = undefined
      if (holdLog) return
      const { session } = live()
      const shown = shownStream(session.log)
      log.render(session.log)
      streams.render(domain, session.log, shown)
      travel.render(domain, shown, session.log, shown === selected ? version : undefined)
    })
  }

  const showDomain = () => {
    document.title = `${domain.title} · Chronicle playground`
    fill(byId("domain-tagline"), domain.tagline)
    signatures.show(domain)
    form.show(domain)
    race.show(domain)
    readModels.show(domain)
    showModels()
    // A stream of another domain is not kept: the domain's first stream is shown instead.
    if (selected !== undefined && !selected.startsWith(domain.streamPrefix)) {
      selected = undefined
      version = undefined
    }
    if (selected !== undefined) form.setStreamId(idOf(selected))
    remember()
    outcome.replaceChildren()
    flow.begin()
    render()
  }

  function open(of: Store.StoreKind): Live {
    const checkpoints = new Map<string, Projector.Checkpointed<unknown>>()
    const stops = new Map<string, Projector.ProjectorError>()
    const session = Session.start(of, {
      records: () => {
        if (of === kind) render()
      },
      readModel: (key, checkpoint) => {
        checkpoints.set(key, checkpoint)
        stops.delete(key)
        if (of === kind && !holdModels) readModels.update(key, checkpoint)
      },
      readModelStopped: (key, error) => {
        if (stops.get(key) === error) return // the same stop, looked at again: said already
        stops.set(key, error)
        if (of === kind) readModels.stopped(key, error)
      },
      failed: (error) => {
        if (Store.closedElsewhere(error)) {
          void restart(of).then(() => say("info", "The IndexedDB log was reset (or upgraded) in another tab.", "This tab reconnected to it."))
        } else {
          say("error", `The ${of} store failed.`, reason(error))
        }
      }
    })
    return { session, checkpoints, stops }
  }

  // The page says which store is open (`body[data-ready]`), once it is.
  const markReady = () => {
    delete document.body.dataset["ready"]
    const { session } = live()
    session.ready.then(() => {
      if (session === live().session) document.body.dataset["ready"] = kind
    }, () => undefined)
  }

  const restart = async (of: Store.StoreKind, erase = false) => {
    const old = lives.get(of)
    lives.delete(of)
    if (of === kind) delete document.body.dataset["ready"]
    await old?.session.dispose()
    if (erase) await Store.erase(of)
    const fresh = open(of)
    lives.set(of, fresh)
    if (of === kind) {
      showDomain()
      markReady()
    }
    return fresh
  }

  const switchTo = (next: { readonly domain?: Domain; readonly kind?: Store.StoreKind }) => {
    if (next.domain !== undefined) domain = next.domain
    if (next.kind !== undefined) kind = next.kind
    fill(byId("store-note"), `Store: ${Store.info[kind].label} — ${Store.info[kind].description}.`)
    showDomain()
    markReady()
  }

  const exportLog = async () => {
    const exit = await live().session.run(LogFile.exportLog)
    if (Exit.isFailure(exit)) return say("error", "The export failed.", reason(Cause.squash(exit.cause)))
    const link = h("a", {
      attrs: {
        href: URL.createObjectURL(new Blob([JSON.stringify(exit.value, null, 2)], { type: "application/json" })),
        download: `chronicle-log-${kind}.json`
      }
    })
    link.click()
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000) // once the browser has started the download
    say("info", `Exported ${exit.value.events.length} events from the ${kind} store.`)
  }

  // Everything is checked before the store is touched: a bad file leaves the log as it was. The
  // file replaces the whole log, so an empty file is refused and replacing events is asked first.
  const importLog = async (file: File) => {
    const checked = LogFile.validate(await file.text(), Domains.logFileDomains)
    if (Result.isFailure(checked)) {
      return say("error", `Nothing was imported: ${file.name} is not a valid event log.`, checked.failure.reason)
    }
    const incoming = checked.success.events
    if (incoming.length === 0) {
      return say("error", `Nothing was imported: ${file.name} holds no events.`, "Importing it would only erase the log; Reset store does that.")
    }
    const current = live().session.log.length
    if (current > 0 && !confirm(`Replace the ${count(current)} of the ${kind} store with the ${count(incoming.length)} of ${file.name}? The events now in the store are erased.`)) {
      return say("info", `Nothing was imported: the ${kind} store keeps its ${count(current)}.`)
    }
    // The selected stream stays selected if the file holds it.
    if (!incoming.some((event) => event.streamId === selected)) {
      selected = undefined
      version = undefined
    }
    const fresh = await restart(kind, true)
    const exit = await fresh.session.run(LogFile.importLog(checked.success, Domains.logFileDomains))
    if (Exit.isFailure(exit)) return say("error", "The import failed while writing.", reason(Cause.squash(exit.cause)))
    say("info", `Imported ${count(exit.value)} into the ${kind} store; its log was replaced.`, "Event ids, times and order are as in the file.")
  }

  Header.wire({
    domain,
    kind,
    switchTo,
    reset: () => {
      selected = undefined
      version = undefined
      return restart(kind, true).then(() => say("info", `The ${kind} store was reset: its log is empty.`))
    },
    exportLog,
    importLog
  })
  byId("signatures").append(signatures.element)
  byId("command-form").append(form.element)
  byId("flow").append(flow.element)
  byId("streams").append(streams.element)
  byId("travel").append(travel.element)
  byId("models").append(readModels.element)
  byId("race").append(race.element)
  byId("log").append(log.element)
  switchTo({})
}
