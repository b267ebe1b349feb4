/** `/nodes/{node}/tasks`: the task index, status and log of the workers the other routes start. */
import { int, str, bool, type RequestContext, type Route } from './context';
import { isTaskRunning } from './host';
import type { TaskState } from './state';

/** The fields the task index and the status route both report. */
function taskIdentity(ctx: RequestContext, task: TaskState): Record<string, unknown> {
  return {
    upid: task.upid,
    node: ctx.host.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
  };
}

/** An entry of the task index: `status` there is the exit status, present once the task ended. */
function taskSummary(ctx: RequestContext, task: TaskState): Record<string, unknown> {
  const running = isTaskRunning(task);
  return {
    ...taskIdentity(ctx, task),
    ...(running ? {} : { endtime: Math.floor(task.endsAtMs / 1000), status: task.exitstatus }),
  };
}

export const taskRoutes: Route[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/tasks',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const source = str(ctx, 'source') ?? 'archive';
      const vmid = str(ctx, 'vmid');
      const typefilter = str(ctx, 'typefilter');
      const userfilter = str(ctx, 'userfilter');
      const errorsOnly = bool(ctx, 'errors') ?? false;
      const start = int(ctx, 'start') ?? 0;
      const limit = int(ctx, 'limit') ?? 50;
      const now = Date.now();
      return ctx.host.state.tasks
        .filter((t) => {
          const running = isTaskRunning(t, now);
          if (source === 'archive' && running) return false;
          if (source === 'active' && !running) return false;
          if (vmid !== undefined && t.id !== vmid) return false;
          if (typefilter && t.type !== typefilter) return false;
          if (userfilter && !t.user.includes(userfilter)) return false;
          if (errorsOnly && (running || t.exitstatus === 'OK')) return false;
          return true;
        })
        .sort((a, b) => b.starttime - a.starttime || b.pid - a.pid)
        .slice(start, start + limit)
        .map((t) => taskSummary(ctx, t));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}',
    handler: () => [{ name: 'log' }, { name: 'status' }],
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/status',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const task = ctx.host.findTask(ctx.pathParams.upid);
      const running = isTaskRunning(task);
      return {
        ...taskIdentity(ctx, task),
        status: running ? 'running' : 'stopped',
        ...(running ? {} : { exitstatus: task.exitstatus }),
      };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/log',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const task = ctx.host.findTask(ctx.pathParams.upid);
      // While running, the final TASK OK / TASK ERROR line has not been written yet.
      const lines = isTaskRunning(task) ? task.log.slice(0, -1) : task.log;
      const start = int(ctx, 'start') ?? 0;
      const limit = int(ctx, 'limit') ?? 50;
      const page = lines.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
      return page.length > 0 ? page : [{ n: 0, t: 'no content' }];
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/tasks/{upid}',
    handler: (ctx) => {
      const task = ctx.host.findTask(ctx.pathParams.upid);
      if (isTaskRunning(task)) {
        task.endsAtMs = Date.now();
        task.exitstatus = 'interrupted by signal';
        task.log[task.log.length - 1] = 'TASK ERROR: interrupted by signal';
      }
      return null;
    },
  },
];
