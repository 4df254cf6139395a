/**
 * The playground page: wires the views to the session of the chosen store. State is small — the
 * domain, the store and the selected stream, kept in the page's address so that a reload shows the
 * same view — and every view is re-rendered from the session's log and read models.
 */
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

/** A session with the read models it has reported. */
interface Live {
  readonly session: Session.Session
  readonly checkpoints: Map<string, Projector.Checkpointed<unknown>>
}

const projectionTimeout = "3 seconds"

const reason = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** Starts the playground in the page (see `index.html` for the elements it fills). */
export const start = (): void => {
  const params = new URLSearchParams(location.search)
  let domain = Domains.byKey(params.get("domain"))
  let kind = Store.parseKind(params.get("store"))
  let selected: string | undefined
  const lives = new Map<Store.StoreKind, Live>()

  const say = Notice.make(byId("notice"))

  const signatures = Signatures.make()
  const flow = Flow.make(signatures.highlight)
  const log = Log.make()
  const travel = TimeTravel.make()
  const outcome = byId("outcome")

  const live = (): Live => {
    const existing = lives.get(kind)
    if (existing !== undefined) return existing
    const started = open(kind)
    lives.set(kind, started)
    return started
  }

  const idOf = (streamId: string) => streamId.startsWith(domain.streamPrefix) ? streamId.slice(domain.streamPrefix.length) : streamId

  const select = (streamId: string | undefined) => {
    selected = streamId
    if (streamId !== undefined) form.setStreamId(idOf(streamId))
    render()
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

  const send = async (of: Domain, input: Record<string, unknown>) => {
    flow.begin()
    const commandId = newId("cmd")
    const inspector: Inspector.Service = { inspect: (inspection) => Effect.sync(() => flow.push(...Flow.fromInspection(inspection))) }
    const exit = await live().session.run(
      of.handle(input, { correlationId: commandId, causationId: commandId, commandId }).pipe(
        Effect.provideService(Inspector.Inspector, inspector)
      )
    )
    const result = Outcome.fromExit(exit)
    fill(outcome, Outcome.view(result))
    switch (result._tag) {
      case "Accepted": {
        const { events, state, streamId, version } = result.handled
        select(streamId)
        const last = events.at(-1)
        if (last !== undefined) flow.push({ _tag: "Projected", streamId, version, state, models: await awaitModels(of, last.position) })
        return
      }
      case "Rejected":
        return select(result.streamId)
      case "Refused":
        flow.push({ _tag: "Refused", why: result.why })
        return select(result.streamId)
      case "Invalid":
        return flow.push({ _tag: "Failed", error: "InvalidCommand", message: result.message })
      case "Failed":
        return flow.push({ _tag: "Failed", error: result.error, message: result.message })
    }
  }

  const form = CommandForm.make({
    defaults: (of) => new Map(Object.entries(of.examples)),
    send
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
    if (frame !== undefined) return
    frame = requestAnimationFrame(() => {
      frame = undefined
      const { session } = live()
      log.render(session.log)
      streams.render(domain, session.log, selected)
      travel.render(domain, selected, session.log)
    })
  }

  const showDomain = () => {
    document.title = `${domain.title} · Chronicle playground`
    fill(byId("domain-tagline"), domain.tagline)
    signatures.show(domain)
    form.show(domain)
    race.show(domain)
    readModels.show(domain, (key) => live().checkpoints.get(key))
    const first = live().session.log.find((event) => domain.owns(event))
    selected = first?.streamId
    if (selected !== undefined) form.setStreamId(idOf(selected))
    outcome.replaceChildren()
    flow.begin()
    render()
  }

  function open(of: Store.StoreKind): Live {
    const checkpoints = new Map<string, Projector.Checkpointed<unknown>>()
    const session = Session.start(of, {
      records: () => {
        if (of === kind) render()
      },
      readModel: (key, checkpoint) => {
        checkpoints.set(key, checkpoint)
        if (of === kind) readModels.update(key, checkpoint)
      },
      failed: (error) => {
        if (Store.closedElsewhere(error)) {
          void restart(of).then(() => say("info", "The IndexedDB log was reset (or upgraded) in another tab.", "This tab reconnected to it."))
        } else {
          say("error", `The ${of} store failed.`, reason(error))
        }
      }
    })
    return { session, checkpoints }
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
      selected = undefined
      showDomain()
      markReady()
    }
    return fresh
  }

  const switchTo = (next: { readonly domain?: Domain; readonly kind?: Store.StoreKind }) => {
    if (next.domain !== undefined) domain = next.domain
    if (next.kind !== undefined) kind = next.kind
    const url = new URL(location.href)
    url.searchParams.set("domain", domain.key)
    url.searchParams.set("store", kind)
    history.replaceState(null, "", url)
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

  // Everything is checked before the store is touched: a bad file leaves the log as it was.
  const importLog = async (file: File) => {
    const checked = LogFile.validate(await file.text(), Domains.logFileDomains)
    if (Result.isFailure(checked)) {
      return say("error", `Nothing was imported: ${file.name} is not a valid event log.`, checked.failure.reason)
    }
    const fresh = await restart(kind, true)
    const exit = await fresh.session.run(LogFile.importLog(checked.success, Domains.logFileDomains))
    if (Exit.isFailure(exit)) return say("error", "The import failed while writing.", reason(Cause.squash(exit.cause)))
    say("info", `Imported ${exit.value} events into the ${kind} store; its log was replaced.`, "Event ids, times and order are as in the file.")
  }

  Header.wire({
    domain,
    kind,
    switchTo,
    reset: () => restart(kind, true).then(() => say("info", `The ${kind} store was reset: its log is empty.`)),
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
