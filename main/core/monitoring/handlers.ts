import { SERIES } from '../../../shared/contract/monitoring.js';
import { roleAllows } from '../../../shared/permissions.js';
import type { Handler } from '../dispatch.js';
import { AppError } from '../errors.js';
import type { CoreServices } from '../services.js';
import { toContractRule } from './rules.js';

type MonitoringOperation =
  | 'monitoring.dashboard'
  | 'monitoring.health'
  | 'monitoring.series'
  | 'monitoring.alerts.list'
  | 'monitoring.alerts.ack'
  | 'monitoring.rules.list'
  | 'monitoring.rules.update';

export const monitoringHandlers: { [N in MonitoringOperation]: Handler<N, CoreServices> } = {
  'monitoring.dashboard': (_input, { services }) => services.monitoring.dashboard(),

  'monitoring.health': (_input, { services }) => services.monitoring.healthDetails(),

  'monitoring.series': (input, { services }) => {
    const now = services.clock.now().getTime() / 1000;
    const from = Date.parse(input.from) / 1000;
    const to = input.to === undefined ? now : Date.parse(input.to) / 1000;
    if (!(to > from)) {
      throw new AppError('invalid_input', 'The start of the range must be before its end.', {
        issues: [{ path: 'from', message: 'must be before "to" (or before now)' }],
      });
    }
    const info = SERIES[input.metric];
    const points = services.monitoring.history.query(input.metric, from, to, input.step, now);
    return {
      metric: input.metric,
      label: info.label,
      unit: info.unit,
      kind: info.kind,
      from: new Date(from * 1000).toISOString(),
      to: new Date(to * 1000).toISOString(),
      ...points,
    };
  },

  'monitoring.alerts.list': (input, { services }) => ({
    alerts: services.monitoring.alerts.list(input.state, input.limit),
  }),

  'monitoring.alerts.ack': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { alerts } = ctx.services.monitoring;
    ctx.audit.target = { type: 'alert', id: String(input.id) };
    // the audit record is written at the end of the write: its details are set inside it
    const { alert, changed } = ctx.write(() => {
      const outcome = alerts.acknowledge(input.id, principal.username, ctx.services.clock.now());
      ctx.audit.details = { rule: outcome.alert.ruleId, alreadyAcknowledged: !outcome.changed };
      return outcome;
    });
    if (changed) alerts.announceAcknowledged(alert, principal.username);
    return alert;
  },

  'monitoring.rules.list': (_input, { services, principal }) => {
    const { rules, alerts } = services.monitoring;
    const firing = alerts.firingRuleIds();
    return {
      rules: rules.all().map((rule) => toContractRule(rule, alerts.stateOf(rule, firing))),
      canEdit: principal !== null && roleAllows(principal.role, 'monitoring.manage'),
    };
  },

  'monitoring.rules.update': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { rules, alerts } = ctx.services.monitoring;
    const before = rules.get(input.id);
    ctx.audit.target = { type: 'alert-rule', id: input.id };
    const after = ctx.write(() => {
      const rule = rules.update(
        input.id,
        { threshold: input.threshold, forSeconds: input.forSeconds, enabled: input.enabled, reset: input.reset },
        principal.username,
        ctx.services.clock.now(),
      );
      ctx.audit.details = {
        before: { threshold: before.threshold, forSeconds: before.forSeconds, enabled: before.enabled },
        after: { threshold: rule.threshold, forSeconds: rule.forSeconds, enabled: rule.enabled },
      };
      return rule;
    });
    // a changed rule starts its duration afresh at the next sample
    alerts.resetPending(input.id);
    return toContractRule(after, alerts.stateOf(after, alerts.firingRuleIds()));
  },
};
