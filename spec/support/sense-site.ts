import type { QrsAppFull, QrsTaskFull } from '../../lib/qrs/qrs-types.js';
import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import type { SchedulerKind } from '../../lib/qlik/log-appender-tags.js';
import { expectedFullPayload, taskEventId } from './butler-task-payload.js';
import { appFullFixture, taskFullFixture, type FakeQrs } from './fake-qrs.js';
import { schedulerFields } from './task-event-fixtures.js';

/** Task types as the Repository Service numbers them. */
export const TASK_TYPE = {
  reload: 0,
  externalProgram: 1,
  userSync: 2,
  distribute: 3,
  preload: 4,
} as const;

/** A task like the one of facts 12.3 with another id, name and type. */
export function taskLike(id: string, name: string, taskType: number): QrsTaskFull {
  return { ...taskFullFixture(), id, name, taskType };
}

/** An app like the one of facts 12.3 with another id and name. */
export function appLike(id: string, name: string): QrsAppFull {
  return { ...appFullFixture(), id, name };
}

/**
 * The tasks and apps behind the example datagrams of facts 2.8 (the fake already holds the
 * "Reload - Sales Dashboard" task and app), plus one task of each type that has no reload.
 * The finance task has no tags or custom properties; its app has a property with two values.
 */
export const SITE = {
  financeTask: {
    ...taskLike('0b5e7f3c-91a2-4d8e-b6c4-2f1a0e9d8c7b', 'Nightly finance load', TASK_TYPE.reload),
    tags: [],
    customProperties: [],
  },
  financeApp: financeApp(),
  hrTask: taskLike(
    '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
    'Reload - HR Headcount',
    TASK_TYPE.reload,
  ),
  hrApp: appLike('1f2e3d4c-5b6a-4798-8a6b-5c4d3e2f1a0b', 'HR Headcount'),
  inventoryTask: taskLike(
    '8e9f0a1b-2c3d-4e5f-9a6b-7c8d9e0f1a2b',
    'Reload - Inventory',
    TASK_TYPE.reload,
  ),
  inventoryApp: appLike('4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a', 'Inventory Overview'),
  preloadTask: taskLike(
    '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
    'Preload Sales Dashboard',
    TASK_TYPE.preload,
  ),
  userSyncTask: taskLike(
    '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    'User sync - CORP',
    TASK_TYPE.userSync,
  ),
  distributeTask: taskLike(
    '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    'Distribute Sales Dashboard to cloud',
    TASK_TYPE.distribute,
  ),
  externalProgramTask: taskLike(
    '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    'Run archive script',
    TASK_TYPE.externalProgram,
  ),
} as const;

function financeApp(): QrsAppFull {
  const app = appLike('d3c2b1a0-4f5e-4d6c-8b7a-9e8f7a6b5c4d', 'Finance KPIs (prod)');
  const [owner] = app.customProperties;
  return owner ? { ...app, customProperties: [owner, { ...owner, value: 'Finance IT' }] } : app;
}

/** Puts every task and app of `SITE` into the fake. */
export function seedSite(qrs: FakeQrs): void {
  for (const task of [
    SITE.financeTask,
    SITE.hrTask,
    SITE.inventoryTask,
    SITE.preloadTask,
    SITE.userSyncTask,
    SITE.distributeTask,
    SITE.externalProgramTask,
  ]) {
    qrs.addTask(task);
  }
  for (const app of [SITE.financeApp, SITE.hrApp, SITE.inventoryApp]) qrs.addApp(app);
}

/**
 * Failed and aborted datagrams of the tasks in `SITE` that are not reload tasks (external program,
 * user sync, distribute): Butler sends no MQTT for these, nor does the relay.
 */
export function nonReloadAlertDatagrams(): string[] {
  const tasks = [SITE.externalProgramTask, SITE.userSyncTask, SITE.distributeTask];
  const kinds: SchedulerKind[] = ['task.failed', 'task.aborted'];
  return tasks.flatMap((task, t) =>
    kinds.map((kind, k) =>
      formatSchedulerDatagram({
        kind,
        hostName: 'qs-node1.corp.example.com',
        taskName: task.name,
        user: 'INTERNAL\\sa_scheduler',
        taskId: task.id,
        logTimeStamp: '2025-03-19 04:00:00,000',
        executionId: `00000000-0000-4000-8000-0000000000${t}${k}`,
      }),
    ),
  );
}

/** A task the fake holds after `seedSite` (the fixture's own included), by id. */
export function siteTask(id: string): QrsTaskFull | undefined {
  return [taskFullFixture(), SITE.financeTask, SITE.hrTask, SITE.inventoryTask].find(
    (task) => task.id === id,
  );
}

/** An app the fake holds after `seedSite` (the fixture's own included), by id. */
export function siteApp(id: string): QrsAppFull | undefined {
  return [appFullFixture(), SITE.financeApp, SITE.hrApp, SITE.inventoryApp].find(
    (app) => app.id === id,
  );
}

/** The full message for a datagram of a reload task of the site, completely looked up. */
export function siteFullPayload(kind: 'failed' | 'aborted', datagram: string): string {
  const { taskId, appId } = schedulerFields(datagram);
  return expectedFullPayload(datagram, {
    kind,
    task: siteTask(taskId),
    app: siteApp(appId),
    relay: { eventId: taskEventId(kind, datagram) },
  });
}
