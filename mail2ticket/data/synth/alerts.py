# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Tool-generated e-mails: monitoring alerts and backup job reports, in each tool's format.

Supervision: Nagios (service, host, short), Icinga 2, Centreon (English, French, flattened
HTML), Zabbix (English, French), PRTG. Backup: Veeam job / agent session reports, Commvault
job summary and alert, NetBackup job notification and OpsCenter digest, and the Nuvalis
BCS portal's French daily report. Each renderer returns an `Alert` with its ground truth,
so the same object serves for an automatic e-mail and for a client forwarding it
(`forward_block`, which uses only the three allowed forward markers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .dates import stamp
from .infra import Host, host, hosts, ip_address, job_name, short_name
from .model import Ctx
from .people import NUVALIS_DOMAIN, company_code
from .probes import Probe, backup_probe, make_probe, network_host


@dataclass
class Alert:
    tool: str
    from_name: str
    from_email: str
    subject: str
    body: str
    at: datetime
    fields: dict[str, object] = field(default_factory=dict)
    protected: list[str] = field(default_factory=list)
    variant: str = ""


SUPERVISION_TOOLS = (
    "nagios",
    "nagios_host",
    "centreon_en",
    "centreon_fr",
    "centreon_html",
    "icinga",
    "zabbix_en",
    "zabbix_fr",
    "prtg",
    "nagios_short",
)
BACKUP_TOOLS = (
    "veeam_job",
    "veeam_job",
    "veeam_agent",
    "commvault_job",
    "commvault_alert",
    "netbackup",
    "netbackup_report",
    "bcs_portal",
)

_ZBX_SEV = (
    ("Disaster", "CRITICAL", "Désastre"),
    ("High", "CRITICAL", "Haute"),
    ("Average", "WARNING", "Moyenne"),
    ("Warning", "WARNING", "Avertissement"),
)


def _tool_sender(ctx: Ctx, tool: str) -> tuple[str, str]:
    rng = ctx.rng
    dom = ctx.company.domain
    base = tool.split("_")[0]
    names = {
        "nagios": "Nagios",
        "centreon": "Centreon",
        "icinga": "Icinga 2",
        "zabbix": "Zabbix",
        "prtg": "PRTG Network Monitor",
        "veeam": "Veeam Backup & Replication",
        "commvault": "Commvault",
        "netbackup": "NetBackup",
        "bcs": "Nuvalis BCS",
    }
    name = names.get(base, base)
    if base == "bcs":
        return name, f"rapports-bcs@{NUVALIS_DOMAIN}"
    if base in {"centreon", "nagios", "zabbix"} and rng.random() < 0.2:
        return f"Supervision Nuvalis ({name})", f"{base}@supervision.{NUVALIS_DOMAIN}"
    if base in {"commvault", "netbackup"} and rng.random() < 0.5:
        return name, f"{base}-{company_code(ctx.company).lower()}@bcs.{NUVALIS_DOMAIN}"
    local = rng.choice((base, base, "supervision", "monitoring", "noreply", f"{base}-alerts", "alertes"))
    if base in {"veeam", "commvault", "netbackup"}:
        local = rng.choice((base, "backup", "sauvegarde", "noreply", f"{base}-reports"))
    return name, f"{local}@{dom}"


def _alert_moment(ctx: Ctx) -> datetime:
    rng = ctx.rng
    t = ctx.sent_at.replace(tzinfo=None, microsecond=0) - timedelta(seconds=rng.randint(5, 400))
    return t


def _sup_fields(h: str, service: str | None, severity: str | None, at: datetime) -> dict[str, object]:
    out: dict[str, object] = {"hostname": h}
    if service:
        out["service"] = service
    if severity:
        out["severity"] = severity
    out["alert_time"] = at.strftime("%Y-%m-%dT%H:%M")
    return out


def pick_target(ctx: Ctx, kind: str | None = None) -> Host:
    rng = ctx.rng
    if kind in {"ping", None} and rng.random() < 0.08:
        return network_host(ctx.company, rng)
    if kind == "datastore":
        return host(ctx.company, rng, rng.choice(("ESX", "HV")))
    return host(ctx.company, rng)


def supervision_alert(
    ctx: Ctx,
    tool: str | None = None,
    target: Host | None = None,
    state: str | None = None,
    kind: str | None = None,
    backup: bool = False,
) -> Alert:
    """An automatic monitoring notification; `backup=True` makes it about a Veeam job check."""
    rng = ctx.rng
    tool = tool or rng.choice(SUPERVISION_TOOLS)
    at = _alert_moment(ctx)
    if tool == "nagios_host":
        target = target or pick_target(ctx, "ping")
        host_state = {"CRITICAL": "DOWN", "WARNING": "UNREACHABLE", "OK": "UP", "UNKNOWN": "UNREACHABLE"}.get(
            state or "", state or rng.choice(("DOWN", "DOWN", "DOWN", "UNREACHABLE", "UP"))
        )
        return _nagios_host(ctx, target, host_state, at)
    if backup:
        target = target or host(ctx.company, rng, rng.choice(("VEEAM", "BCK")))
    target = target or pick_target(ctx, kind)
    if target.role == "NET":
        kind = "ping" if rng.random() < 0.5 else kind
    if state is None:
        r = rng.random()
        state = "CRITICAL" if r < 0.58 else "WARNING" if r < 0.88 else "OK" if r < 0.96 else "UNKNOWN"
    if backup:
        probe, _job = backup_probe(ctx.company, target, "WARNING" if state == "OK" else state, rng)
    else:
        probe = make_probe(ctx.company, target, state, rng, kind)
    if state == "UNKNOWN":
        probe = Probe(
            probe.kind,
            probe.service,
            rng.choice(
                (
                    "UNKNOWN - SNMP: Timeout",
                    "UNKNOWN: No data received from agent",
                    "(Service check timed out after 60.01 seconds)",
                    "UNKNOWN - Plugin timed out after 30 seconds",
                )
            ),
            probe.zbx_problem,
            probe.zbx_service,
            probe.zbx_opdata,
            probe.prtg_sensor,
            probe.prtg_msg,
            probe.label,
            probe.human,
        )
    if tool in {"nagios", "centreon_en", "icinga", "nagios_short"}:
        return _nagios_like(ctx, tool, target, probe, state, at)
    if tool == "centreon_fr":
        return _centreon_fr(ctx, target, probe, state, at)
    if tool == "centreon_html":
        return _centreon_html(ctx, target, probe, state, at)
    if tool in {"zabbix_en", "zabbix_fr"}:
        return _zabbix(ctx, tool, target, probe, state, at)
    return _prtg(ctx, target, probe, state, at)


def _notif_type(state: str) -> str:
    return "RECOVERY" if state in {"OK", "UP"} else "PROBLEM"


def _nagios_like(ctx: Ctx, tool: str, target: Host, probe: Probe, state: str, at: datetime) -> Alert:
    rng = ctx.rng
    ip = ip_address(rng)
    nt = _notif_type(state)
    name, email = _tool_sender(ctx, "icinga" if tool == "icinga" else "centreon" if tool == "centreon_en" else "nagios")
    h = target.name
    if tool == "nagios_short":
        body = f"{nt} - {h}/{probe.service} is {state} - {probe.output}"
        if rng.random() < 0.5:
            body = (
                f"** {nt} Service Alert: {h}/{probe.service} is {state} **\n\n{probe.output}\n\n{stamp(at, 'nagios')}"
            )
        subject = f"** {nt} Service Alert: {h}/{probe.service} is {state} **"
        fields = _sup_fields(h, probe.service, state, at)
        if stamp(at, "nagios") not in body:
            fields.pop("alert_time")
        return Alert("nagios", name, email, subject, body, at, fields, [h, probe.service], "nagios_short")
    if tool == "icinga":
        body = (
            f"***** Service Monitoring on icinga2 *****\n\n{probe.service} on {h} is {state}!\n\n"
            f"Info:    {probe.output}\n\nWhen:    {stamp(at, 'iso')} +0100\nService: {probe.service}\n"
            f"Host:    {h}\nIPv4:\t {ip}\n"
        )
        if rng.random() < 0.5:
            body += f"\nComment by icingaadmin:\n  {rng.choice(('Ticket ouvert', 'En cours', 'RAS'))}\n"
        subject = f"[icinga2] {nt}: {probe.service} on {h} is {state}!"
        return Alert(
            "icinga",
            name,
            email,
            subject,
            body,
            at,
            _sup_fields(h, probe.service, state, at),
            [h, probe.service],
            "icinga",
        )
    banner = (
        "***** Nagios *****"
        if tool == "nagios"
        else rng.choice(("***** centreon Notification *****", "***** Centreon *****"))
    )
    body = (
        f"{banner}\n\nNotification Type: {nt}\n\nService: {probe.service}\nHost: {h}\nAddress: {ip}\n"
        f"State: {state}\n\nDate/Time: {stamp(at, 'nagios' if tool == 'nagios' else 'centreon')}\n\n"
        f"Additional Info:\n\n{probe.output}"
    )
    if tool == "centreon_en" and rng.random() < 0.4:
        body += f"\n\nAlias: {target.label}\nHostgroup: {rng.choice(('Serveurs-Windows', 'Serveurs-Linux', 'Production', 'HG-' + company_code(ctx.company)))}"
    subject = rng.choice(
        (
            f"** {nt} Service Alert: {h}/{probe.service} is {state} **",
            f"[Centreon] {nt} {h}/{probe.service} is {state}"
            if tool != "nagios"
            else f"** {nt} Service Alert: {h}/{probe.service} is {state} **",
        )
    )
    return Alert(
        "nagios" if tool == "nagios" else "centreon",
        name,
        email,
        subject,
        body,
        at,
        _sup_fields(h, probe.service, state, at),
        [h, probe.service],
        tool,
    )


def _nagios_host(ctx: Ctx, target: Host, state: str, at: datetime) -> Alert:
    rng = ctx.rng
    ip = ip_address(rng)
    nt = _notif_type(state)
    name, email = _tool_sender(ctx, rng.choice(("nagios", "centreon")))
    info = {
        "DOWN": rng.choice(
            (
                "PING CRITICAL - Packet loss = 100%",
                f"CRITICAL - Host Unreachable ({ip})",
                f"CRITICAL - {ip}: rta nan, lost 100%",
            )
        ),
        "UNREACHABLE": f"CRITICAL - Network Unreachable ({ip})",
        "UP": f"PING OK - Packet loss = 0%, RTA = {rng.uniform(0.2, 2):.2f} ms",
    }[state]
    banner = "***** Nagios *****" if "nagios" in email else "***** centreon Notification *****"
    body = (
        f"{banner}\n\nNotification Type: {nt}\nHost: {target.name}\nState: {state}\nAddress: {ip}\n"
        f"Info: {info}\n\nDate/Time: {stamp(at, 'nagios')}\n"
    )
    subject = f"** {nt} Host Alert: {target.name} is {state} **"
    severity = "OK" if state == "UP" else state
    return Alert(
        "nagios",
        name,
        email,
        subject,
        body,
        at,
        _sup_fields(target.name, None, severity, at),
        [target.name],
        "nagios_host",
    )


def _centreon_fr(ctx: Ctx, target: Host, probe: Probe, state: str, at: datetime) -> Alert:
    rng = ctx.rng
    ip = ip_address(rng)
    nt = _notif_type(state)
    name, email = _tool_sender(ctx, "centreon")
    body = (
        f"***** Centreon *****\n\nType de notification : {nt}\n\nService : {probe.service}\nHôte : {target.name}\n"
        f"Alias : {target.label}\nAdresse : {ip}\nÉtat : {state}\n\nDate/Heure : {stamp(at, 'centreon')}\n\n"
        f"Informations complémentaires :\n\n{probe.output}"
    )
    if rng.random() < 0.3:
        body += (
            f"\n\nDurée de l'état : 0j 0h {rng.randint(1, 59)}m {rng.randint(0, 59)}s\nNombre de vérifications : 3/3"
        )
    subject = rng.choice(
        (
            f"[Centreon] {nt} - {target.name}/{probe.service} est {state}",
            f"** {nt} alerte service : {target.name}/{probe.service} est {state} **",
        )
    )
    return Alert(
        "centreon",
        name,
        email,
        subject,
        body,
        at,
        _sup_fields(target.name, probe.service, state, at),
        [target.name, probe.service],
        "centreon_fr",
    )


def _centreon_html(ctx: Ctx, target: Host, probe: Probe, state: str, at: datetime) -> Alert:
    rng = ctx.rng
    name, email = _tool_sender(ctx, "centreon")
    nt = _notif_type(state)
    dur = f"{rng.randint(0, 2)}d {rng.randint(0, 23)}h {rng.randint(0, 59)}m {rng.randint(0, 59)}s"
    body = (
        f"Centreon notification\n\n{nt}\n\nHost\t{target.name}\nService\t{probe.service}\nStatus\t{state}\n"
        f"Duration\t{dur}\nDate\t{stamp(at, 'iso')}\nOutput\t{probe.output}\n\n"
        f"Acknowledge | Downtime | Details\n"
        f"https://centreon.{ctx.company.domain}/centreon/main.php?p=20201&o=svcd&host_name={short_name(target.name)}"
    )
    subject = f"{nt} - {target.name} / {probe.service} - {state}"
    return Alert(
        "centreon",
        name,
        email,
        subject,
        body,
        at,
        _sup_fields(target.name, probe.service, state, at),
        [target.name, probe.service],
        "centreon_html",
    )


def _zabbix(ctx: Ctx, tool: str, target: Host, probe: Probe, state: str, at: datetime) -> Alert:
    rng = ctx.rng
    name, email = _tool_sender(ctx, "zabbix")
    pid = rng.randint(100000, 99999999)
    if state == "WARNING":
        sev_en, sev, sev_fr = rng.choice(_ZBX_SEV[2:])
    else:
        sev_en, sev, sev_fr = rng.choice(_ZBX_SEV[:2])
    recovered = state == "OK"
    if recovered:
        sev = "OK"
    t = at.strftime("%H:%M:%S")
    d = stamp(at, "zabbix_date")
    if tool == "zabbix_en":
        if recovered:
            end = at
            body = (
                f"Problem has been resolved at {end:%H:%M:%S} on {stamp(end, 'zabbix_date')}\n"
                f"Problem name: {probe.zbx_problem}\nProblem duration: {rng.randint(3, 50)}m\n"
                f"Host: {target.name}\nSeverity: {sev_en}\nOriginal problem ID: {pid}\n"
            )
            subject = f"Resolved in {rng.randint(3, 50)}m: {probe.zbx_problem}"
            fields = _sup_fields(target.name, probe.zbx_service, sev, end)
        else:
            body = (
                f"Problem started at {t} on {d}\nProblem name: {probe.zbx_problem}\nHost: {target.name}\n"
                f"Severity: {sev_en}\nOperational data: {probe.zbx_opdata}\nOriginal problem ID: {pid}\n"
            )
            subject = f"Problem: {probe.zbx_problem}"
            fields = _sup_fields(target.name, probe.zbx_service, sev, at)
    else:
        if recovered:
            end = at
            body = (
                f"Problème résolu à {end:%H:%M:%S} le {stamp(end, 'zabbix_date')}\n"
                f"Nom du problème : {probe.zbx_problem}\nDurée du problème : {rng.randint(3, 50)}m\n"
                f"Hôte : {target.name}\nSévérité : {sev_fr}\nID du problème d'origine : {pid}\n"
            )
            subject = f"Résolu : {probe.zbx_problem}"
            fields = _sup_fields(target.name, probe.zbx_service, sev, end)
        else:
            body = (
                f"Problème démarré à {t} le {d}\nNom du problème : {probe.zbx_problem}\nHôte : {target.name}\n"
                f"Sévérité : {sev_fr}\nDonnées opérationnelles : {probe.zbx_opdata}\n"
                f"ID du problème d'origine : {pid}\n"
            )
            subject = f"Problème : {probe.zbx_problem}"
            fields = _sup_fields(target.name, probe.zbx_service, sev, at)
    if rng.random() < 0.3:
        body += f"\nURL: https://zabbix.{ctx.company.domain}/tr_events.php?triggerid={rng.randint(10000, 99999)}&eventid={pid}\n"
    return Alert("zabbix", name, email, subject, body, at, fields, [target.name, probe.zbx_service], tool)


def _prtg(ctx: Ctx, target: Host, probe: Probe, state: str, at: datetime) -> Alert:
    rng = ctx.rng
    name, email = _tool_sender(ctx, "prtg")
    status = {"CRITICAL": "Down", "UNKNOWN": "Down", "WARNING": "Warning", "OK": "Up"}[state]
    sev = {"Down": "DOWN", "Warning": "WARNING", "Up": "OK"}[status]
    ip = ip_address(rng)
    esc = " ESCALATION" if status == "Down" and rng.random() < 0.4 else ""
    fr = rng.random() < 0.5
    ts = stamp(at, "fr")
    if fr:
        body = (
            f"PRTG Network Monitor ({rng.choice(('PRTG-SRV', 'SRV-PRTG01', 'prtg-core'))})\n\n"
            f"[{target.name}] {probe.prtg_sensor} {status}{esc}\n\n"
            f"Capteur : {probe.prtg_sensor}\nAppareil : {target.name} ({ip})\n"
            f"Groupe : {rng.choice(('Serveurs', 'Serveurs Windows', 'Infrastructure', 'Sonde locale'))}\n"
            f"Statut : {status}{esc} depuis {ts} (UTC+01:00)\nDernier scan : {ts}\n"
            f"Disponibilité : {rng.uniform(97, 99.99):.4f} %\nDernier message : {probe.prtg_msg}\n"
        )
    else:
        body = (
            f"State Trigger: {status}\n[{target.name}] {probe.prtg_sensor} {status}{esc}\n\n"
            f"Sensor: {probe.prtg_sensor}\nDevice: {target.name} ({ip})\nGroup: Servers\nProbe: Local Probe\n"
            f"Status: {status}{esc} since {ts} (UTC+01:00)\nLast Scan: {ts}\n"
            f"Uptime: {rng.uniform(97, 99.99):.4f} %\nLast Message: {probe.prtg_msg}\n"
        )
    subject = f"[PRTG] [{target.name}] {probe.prtg_sensor} {status}{esc}"
    return Alert(
        "prtg",
        name,
        email,
        subject,
        body,
        at,
        _sup_fields(target.name, probe.prtg_sensor, sev, at),
        [target.name, probe.prtg_sensor],
        "prtg",
    )


# ------------------------------------------------------------------ backup reports
VEEAM_ERRORS = (
    "Error: Failed to create VM snapshot. Error: An error occurred while taking a snapshot: Failed to quiesce the virtual machine.",
    "Error: VSSControl: Failed to freeze guest over network, wait timeout",
    "Unable to allocate processing resources. Error: No backup repositories available.",
    "Error: The network path was not found. Failed to connect to guest agent.",
    "Error: Insufficient free disk space on repository 'REPO-BCS-02'.",
    "Error: Failed to connect to the VMware vCenter server. Connection refused.",
    "Error: The RPC server is unavailable. RPC function call failed.",
    "Error: Changed block tracking cannot be enabled: one or more snapshots present on the VM.",
    "Error: Task failed unexpectedly: Lease expired.",
    "Error: Access is denied. Failed to open file.",
    "Error: Cannot proceed with the job: existing backup meta file is not synchronized with the DB.",
    "Error: Failed to process VM: backup proxy has no access to the datastore.",
    "Error: All instances of the storage metadata are corrupted.",
    "Error: Job has been stopped by user.",
)
VEEAM_WARNINGS = (
    "Warning: Failed to truncate Microsoft SQL Server transaction logs.",
    "Warning: Changed block tracking is disabled. Backup will take longer.",
    "Warning: 14 files were skipped because they were locked.",
    "Warning: Unable to truncate transaction logs. Details: Access is denied.",
    "Warning: Retention policy could not be applied, repository is read-only.",
)
COMMVAULT_ERRORS = (
    "Error Code: [19:599] Loss of control process cvd.",
    "Error Code: [7:77] Failed to start the job: the client is not reachable.",
    "Error Code: [13:138] Error occurred while processing chunk in media, at the time of error in library [LIB-DISK-01].",
    "Error Code: [62:2483] Snapshot creation failed.",
    "Error Code: [32:392] Writing to the media failed.",
    "Error Code: [91:23] Client failed to respond.",
    "Error Code: [19:1131] Unable to connect to the MediaAgent.",
    "Error Code: [40:91] Failed to get VSS writer metadata.",
)
NETBACKUP_ERRORS = (
    "EXIT STATUS 58: can't connect to client",
    "EXIT STATUS 96: unable to allocate new media for backup, storage unit has none available",
    "EXIT STATUS 13: file read failed",
    "EXIT STATUS 156: snapshot error encountered",
    "EXIT STATUS 196: client backup was not attempted because backup window closed",
    "EXIT STATUS 84: media write error",
    "EXIT STATUS 41: network connection timed out",
    "EXIT STATUS 24: socket write failed",
    "EXIT STATUS 2074: Disk volume is down",
    "EXIT STATUS 71: none of the files in the file list exist",
)


def _session_start(ctx: Ctx) -> datetime:
    """Start of the last nightly backup window before the e-mail (19:00-04:59)."""
    rng = ctx.rng
    sent = ctx.sent_at.replace(tzinfo=None, microsecond=0)
    for back in (1, 2, 3):
        day = sent.date() - timedelta(days=back)
        hour = rng.choice((19, 20, 21, 22, 22, 23, 23, 24, 25, 26, 27, 28))
        start = datetime(day.year, day.month, day.day) + timedelta(
            hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
        )
        if start < sent - timedelta(minutes=45):
            return start
    return sent - timedelta(hours=rng.randint(3, 9), minutes=rng.randint(0, 59))


def backup_report(ctx: Ctx, tool: str | None = None) -> Alert:
    """An automatic backup failure/warning report from one of the tools behind BCS."""
    rng = ctx.rng
    tool = tool or rng.choice(BACKUP_TOOLS)
    if tool in {"veeam_job", "veeam_agent"}:
        return _veeam(ctx, agent=tool == "veeam_agent")
    if tool in {"commvault_job", "commvault_alert"}:
        return _commvault(ctx, alert=tool == "commvault_alert")
    if tool == "netbackup":
        return _netbackup(ctx)
    if tool == "netbackup_report":
        return _netbackup_report(ctx)
    return _bcs_portal(ctx)


def _size(rng: random.Random) -> str:
    return rng.choice((f"{rng.uniform(10, 990):.1f} GB", f"{rng.uniform(1, 4):.1f} TB", f"{rng.randint(100, 990)} MB"))


def _veeam(ctx: Ctx, agent: bool) -> Alert:
    rng = ctx.rng
    start = _session_start(ctx)
    n = 1 if agent else rng.choice((1, 2, 3, 3, 4, 5, 6))
    vms = hosts(ctx.company, rng, n)
    warning_only = rng.random() < 0.18
    statuses: list[str] = []
    for i in range(len(vms)):
        if i == 0:
            statuses.append("Warning" if warning_only else "Failed")
        else:
            statuses.append(
                rng.choice(
                    (
                        "Success",
                        "Success",
                        "Success",
                        "Warning" if not warning_only else "Success",
                        "Failed" if not warning_only else "Success",
                    )
                )
            )
    rng.shuffle(statuses)
    failed = [v for v, s in zip(vms, statuses, strict=True) if s == "Failed"]
    warned = [v for v, s in zip(vms, statuses, strict=True) if s == "Warning"]
    overall = "Warning" if warning_only else "Failed"
    job = job_name(ctx.company, rng, vms[0].name if n == 1 else None)
    err_by_vm = {}
    for v, s in zip(vms, statuses, strict=True):
        if s == "Failed":
            err_by_vm[v.name] = rng.choice(VEEAM_ERRORS)
        elif s == "Warning":
            err_by_vm[v.name] = rng.choice(VEEAM_WARNINGS)
    lines = []
    t = start
    budget = (ctx.sent_at.replace(tzinfo=None) - start).total_seconds() / 60 - 5
    per_vm = max(1, min(90, int(budget / max(1, len(vms)))))
    for v, s in zip(vms, statuses, strict=True):
        dur = timedelta(minutes=rng.randint(1, per_vm), seconds=rng.randint(0, 59))
        lines.append(
            f"{v.name}\t{s}\t{t:%H:%M:%S}\t{t + dur:%H:%M:%S}\t{_size(rng)}\t{_size(rng)}\t{_size(rng)}\t"
            f"{dur!s}\t{err_by_vm.get(v.name, '')}".rstrip()
        )
        t += dur
    end = t
    kind = "Agent Backup job" if agent else rng.choice(("Backup job", "Backup job", "Backup Copy job"))
    stamp_fmt = rng.choice(("veeam_long", "veeam_long", "fr", "us"))
    summary = (
        f"Success\t{statuses.count('Success')}\tStart time\t{start:%H:%M:%S}\tTotal size\t{_size(rng)}\tBackup size\t{_size(rng)}\n"
        f"Warning\t{statuses.count('Warning')}\tEnd time\t{end:%H:%M:%S}\tData read\t{_size(rng)}\tDedupe\t{rng.uniform(1, 4):.1f}x\n"
        f"Error\t{statuses.count('Failed')}\tDuration\t{end - start!s}\tTransferred\t{_size(rng)}\tCompression\t{rng.uniform(1, 3):.1f}x"
    )
    body = (
        f"{kind}: {job}\nCreated by {company_code(ctx.company)}\\svc-veeam at {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2023 "
        f"{rng.randint(8, 18)}:{rng.randint(0, 59):02d}.\n{overall}\n{n} of {n} {'machines' if agent else 'VMs'} processed\n\n"
        f"{stamp(start, stamp_fmt)}\n{summary}\n\nDetails\nName\tStatus\tStart time\tEnd time\tSize\tRead\tTransferred\t"
        f"Duration\tDetails\n"
        + "\n".join(lines)
        + f"\n\nVeeam Backup & Replication {rng.choice(('12.1.2.172', '12.0.0.1420', '11.0.1.1261', '12.2.0.334'))}"
    )
    counts = []
    if failed:
        counts.append(f"{len(failed)} failed")
    if warned:
        counts.append(f"{len(warned)} warning")
    subject = f"[{overall}] {job} ({n} {'machine' if n == 1 else 'VMs'}) {', '.join(counts)}"
    name, email = _tool_sender(ctx, "veeam")
    fields: dict[str, object] = {"job_name": job, "failure_date": start.date().isoformat()}
    culprit = failed if failed else warned
    if len(culprit) == 1:
        fields["hostname"] = culprit[0].name
        fields["error_message"] = err_by_vm[culprit[0].name]
    protected = [job] + [v.name for v in vms]
    return Alert("veeam", name, email, subject, body, end, fields, protected, "veeam_agent" if agent else "veeam_job")


def _commvault(ctx: Ctx, alert: bool) -> Alert:
    rng = ctx.rng
    start = _session_start(ctx)
    end = start + timedelta(minutes=rng.randint(1, 120), seconds=rng.randint(0, 59))
    h = host(ctx.company, rng)
    job = job_name(ctx.company, rng, h.name, tool="commvault")
    err = rng.choice(COMMVAULT_ERRORS)
    jid = rng.randint(100000, 9999999)
    sp = f"SP_{company_code(ctx.company)}_{rng.choice(('30J', '14J', '90J', 'MENSUEL', 'DISK_AUX'))}"
    cs = rng.choice(("CV-NUVALIS-01", "commserve-bcs", "CS-BCS-PRD"))
    agent = rng.choice(("Windows File System", "Virtual Server", "SQL Server", "Linux File System", "Exchange Mailbox"))
    level = rng.choice(("Incremental", "Full", "Synthetic Full", "Differential"))
    if alert:
        body = (
            f"Alert: Data Protection Job Failed\nType: Job Management - Data Protection\nDetected Criteria: Job Failed\n"
            f"Detected Time: {stamp(end, 'commvault')}\nCommCell: {cs}\nUser: admin\nJob ID: {jid}\nStatus: Failed\n"
            f"Storage Policies Used: {sp}\nClient: {h.name}\nAgent Type: {agent}\nSubclient: {job}\n"
            f"Backup Level: {level}\nStart Time: {stamp(start, 'commvault')}\nEnd Time: {stamp(end, 'commvault')}\n"
            f"Failure Reason: {err}\n"
        )
        subject = f"Commvault Alert: Job Failed - {h.name} - Job ID {jid}"
    else:
        body = (
            f"Job Summary\n\nJob ID: {jid}\nStatus: Failed\nCommCell: {cs}\nClient: {h.name}\nAgent Type: {agent}\n"
            f"Instance: DefaultInstanceName\nBackup Set: defaultBackupSet\nSubclient: {job}\nBackup Level: {level}\n"
            f"Storage Policy: {sp}\nStart Time: {stamp(start, 'commvault')}\nEnd Time: {stamp(end, 'commvault')}\n"
            f"Size of Application: 0 Bytes\nFailure Reason: {err} Possible causes: 1. The control process has "
            f"unexpectedly died. 2. The communication to the control process machine went down.\n\n"
            f"Please check the job details in the CommCell Console for more information."
        )
        subject = f"Job {jid} ({level}) for client {h.name} Failed"
    name, email = _tool_sender(ctx, "commvault")
    fields = {"hostname": h.name, "job_name": job, "failure_date": start.date().isoformat(), "error_message": err}
    return Alert(
        "commvault",
        name,
        email,
        subject,
        body,
        end,
        fields,
        [h.name, job],
        "commvault_alert" if alert else "commvault_job",
    )


def _netbackup(ctx: Ctx) -> Alert:
    rng = ctx.rng
    start = _session_start(ctx)
    h = host(ctx.company, rng)
    pol = job_name(ctx.company, rng, h.name, tool="netbackup")
    err = rng.choice(NETBACKUP_ERRORS)
    sched = rng.choice(("Daily-Incr", "Weekly-Full", "Monthly-Full", "Diff-Inc", "FULL_WE"))
    files = rng.choice(("ALL_LOCAL_DRIVES", "/", "C:\\\nD:\\", "/etc\n/home\n/var/lib/mysql", "NEW_STREAM\nD:\\Data"))
    body = (
        f"Backup on client {h.name} by root failed.\n\nPolicy = {pol}\nSchedule = {sched}\n"
        f"Start Time = {stamp(start, 'us')}\nMaster = {rng.choice(('nbu-master-01', 'NBU-PRIMARY', 'nbumaster.bcs.local'))}\n\n"
        f"File list\n---------\n{files}\n\n{err}\n"
    )
    subject = f"NetBackup: backup of {h.name} failed ({err.split(':')[0].title()})"
    name, email = _tool_sender(ctx, "netbackup")
    fields = {"hostname": h.name, "job_name": pol, "failure_date": start.date().isoformat(), "error_message": err}
    return Alert("netbackup", name, email, subject, body, start, fields, [h.name, pol], "netbackup")


def _netbackup_report(ctx: Ctx) -> Alert:
    rng = ctx.rng
    start = _session_start(ctx)
    rows = []
    failed_row = None
    n = rng.randint(3, 7)
    fail_i = rng.randrange(n)
    hs = hosts(ctx.company, rng, n)
    for i, h in enumerate(hs):
        pol = job_name(ctx.company, rng, h.name, tool="netbackup")
        if i == fail_i:
            err = rng.choice(NETBACKUP_ERRORS)
            code = err.split(":")[0].split()[-1]
            rows.append(f"{h.name:<22}{pol:<28}{code:<8}{stamp(start, 'us')}")
            failed_row = (h, pol, err, code)
        else:
            rows.append(f"{h.name:<22}{pol:<28}{'0':<8}{stamp(start + timedelta(minutes=i * 7), 'us')}")
    assert failed_row is not None
    h, pol, err, code = failed_row
    body = (
        f"OpsCenter Report: Job Failure Summary\nMaster Server: nbu-master-01\nReport period: last 24 hours\n\n"
        f"{'Client':<22}{'Policy':<28}{'Status':<8}Start Time\n"
        + "\n".join(rows)
        + f"\n\nStatus code {code}: {err.split(': ', 1)[1]}\n\n1 job(s) failed out of {n}."
    )
    subject = f"OpsCenter Report - Job Failure Summary - {stamp(start, 'zabbix_date')}"
    name, email = _tool_sender(ctx, "netbackup")
    fields = {
        "hostname": h.name,
        "job_name": pol,
        "failure_date": start.date().isoformat(),
        "error_message": f"Status code {code}: {err.split(': ', 1)[1]}",
    }
    return Alert(
        "netbackup", name, email, subject, body, start, fields, [x.name for x in hs] + [pol], "netbackup_report"
    )


def _bcs_portal(ctx: Ctx) -> Alert:
    rng = ctx.rng
    start = _session_start(ctx)
    h = host(ctx.company, rng)
    job = job_name(ctx.company, rng, h.name)
    err = rng.choice(VEEAM_ERRORS + NETBACKUP_ERRORS[:3])
    total = rng.randint(4, 40)
    p0 = start.date() if start.hour >= 18 else start.date() - timedelta(days=1)
    body = (
        f"Nuvalis - Service BCS (Backup as a Service)\nRapport quotidien de sauvegarde - {ctx.company.name}\n"
        f"Période : {p0:%d/%m/%Y} 18:00 - {(p0 + timedelta(days=1)):%d/%m/%Y} 08:00\n\n"
        f"Résumé : {total} jobs - {total - 1} succès - 0 avertissement - 1 échec\n\n"
        f"Jobs en échec :\n- Job : {job} | Serveur : {h.name} | Début : {start:%d/%m/%Y %H:%M} | Statut : Échec\n"
        f"  Erreur : {err}\n\nLe Centre de Services Nuvalis analyse les échecs chaque matin ouvré.\n"
        f"Détail disponible sur le portail : https://bcs.{NUVALIS_DOMAIN}/rapports\n\n"
        f"Ce message est généré automatiquement, merci de ne pas y répondre."
    )
    subject = f"[BCS] Rapport de sauvegarde {ctx.company.name} - {start:%d/%m/%Y} - 1 échec"
    name, email = _tool_sender(ctx, "bcs")
    fields = {"hostname": h.name, "job_name": job, "failure_date": start.date().isoformat(), "error_message": err}
    return Alert("bcs", name, email, subject, body, start, fields, [h.name, job], "bcs_portal")


# ------------------------------------------------------------------ forwarding
def forward_block(alert: Alert, ctx: Ctx) -> str:
    """The alert as it appears below a client's comment when forwarded by a mail client."""
    rng = ctx.rng
    to = rng.choice((ctx.sender.email, f"informatique@{ctx.company.domain}", f"dsi@{ctx.company.domain}"))
    style = rng.randrange(4)
    at = alert.at
    if style == 0:
        head = (
            f"---------- Forwarded message ---------\nDe : {alert.from_name} <{alert.from_email}>\n"
            f"Date: {stamp(at, 'mail_fr')}\nSubject: {alert.subject}\nTo: <{to}>\n"
        )
    elif style == 1:
        head = (
            f"---------- Forwarded message ---------\nFrom: {alert.from_name} <{alert.from_email}>\n"
            f"Date: {stamp(at, 'mail_en')}\nSubject: {alert.subject}\nTo: {to}\n"
        )
    elif style == 2:
        head = (
            f"Début du message transféré :\n\nDe: {alert.from_name} <{alert.from_email}>\nObjet: {alert.subject}\n"
            f"Date: {stamp(at, 'mail_apple')}\nÀ: {to}\n"
        )
    else:
        head = (
            f"-------- Message transféré --------\nSujet : \t{alert.subject}\nDate : \t{stamp(at, 'mail_outlook')}\n"
            f"De : \t{alert.from_name} <{alert.from_email}>\nPour : \t{to}\n"
        )
    return head + "\n" + alert.body
