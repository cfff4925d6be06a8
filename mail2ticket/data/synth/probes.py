# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Monitoring probes: what a check is called in each tool and what it prints.

One `Probe` carries the same incident seen through Nagios/Centreon (service + plugin
output), Zabbix (problem name + operational data), PRTG (sensor + message) and a human
('le disque C: est plein'), so an alert and a client's description of it stay coherent.
`service` is the name the tool shows; `label` is the short name a human uses and is what
the ground truth holds for human-written e-mails (it always appears verbatim in them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .infra import Host, ip_address, job_name
from .model import Company


@dataclass(frozen=True)
class Probe:
    kind: str
    service: str
    output: str
    zbx_problem: str
    zbx_service: str
    zbx_opdata: str
    prtg_sensor: str
    prtg_msg: str
    label: str
    human: str


_WIN_SERVICES = (
    ("MSSQLSERVER", "SQL Server (MSSQLSERVER)"),
    ("Spooler", "Spouleur d'impression"),
    ("W32Time", "Temps Windows"),
    ("VeeamBackupSvc", "Veeam Backup Service"),
    ("W3SVC", "World Wide Web Publishing Service"),
    ("MSExchangeTransport", "Microsoft Exchange Transport"),
    ("DHCPServer", "Serveur DHCP"),
    ("DNS", "Serveur DNS"),
    ("NTDS", "Services de domaine Active Directory"),
    ("TermService", "Services Bureau à distance"),
    ("Sage100cSrv", "Sage 100c Service"),
    ("SQLAgent$SAGE100", "SQL Server Agent (SAGE100)"),
    ("TomcatDPI", "Apache Tomcat DPI"),
    ("LanmanServer", "Serveur"),
    ("CommVault Communications Service (GxCVD)", "Commvault Communications Service"),
)
_LINUX_MOUNTS = ("/", "/var", "/home", "/data", "/var/log", "/opt", "/var/lib/mysql", "/srv", "/tmp", "/boot")
_PROCESSES = ("httpd", "nginx", "mysqld", "postgres", "java", "sshd", "crond", "php-fpm", "tomcat", "zabbix_agentd")
_INTERFACES = ("Gi1/0/24", "Gi1/0/1", "Gi0/1", "Te1/1/1", "port24", "eth0", "ethernet1/2", "ge-0/0/3", "Po1", "wan1")
_NETWORK_HOSTS = (
    "SW-CORE-01",
    "SW-ETAGE2",
    "sw-bat-a-01",
    "FW-{SITE}-01",
    "fortigate-{site}",
    "RTR-SITE2",
    "SW-BAIE-03",
    "pfsense01",
    "SW-SALLE-SERVEUR",
    "AP-CTRL-01",
    "sw-accueil",
    "FW-PRINCIPAL",
)
_DATASTORES = ("DS_PROD_01", "DS-SAN-02", "datastore1", "LUN_VM_03", "DS_NVME_01", "VMFS-PROD-02", "DS_BACKUP")


def _pct(rng: random.Random, state: str) -> float:
    if state == "WARNING":
        return round(rng.uniform(85, 92.5), 2)
    return round(rng.uniform(93, 99.8), 2)


def network_host(company: Company, rng: random.Random) -> Host:
    site = company.name.split()[-1][:3].upper()
    name = rng.choice(_NETWORK_HOSTS).replace("{SITE}", site).replace("{site}", site.lower())
    return Host(name, "NET", "équipement réseau")


def make_probe(company: Company, host: Host, state: str, rng: random.Random, kind: str | None = None) -> Probe:
    """Draw a probe of `kind` (or a random one) in `state` (WARNING/CRITICAL/UNKNOWN/OK)."""
    linux_roles = {"WEB", "DEV", "SFTP", "LOG", "PROXY", "DNS", "GLPI", "INTRA", "FTP"}
    linux = rng.random() < (0.65 if host.role in linux_roles else 0.12)
    if kind is None:
        kind = rng.choice(
            (
                "disk",
                "disk",
                "disk",
                "cpu",
                "cpu",
                "mem",
                "mem",
                "ping",
                "svc",
                "svc",
                "http",
                "cert",
                "ntp",
                "uptime",
                "proc",
                "db",
                "raid",
                "queue",
                "datastore",
            )
        )
    if kind == "datastore" and host.role not in {"ESX", "HV"}:
        kind = "disk"
    st = state
    if kind == "disk":
        if linux:
            mnt = rng.choice(_LINUX_MOUNTS)
            service = rng.choice((f"Disk-{mnt}", f"Partition {mnt}", f"FS {mnt}", f"disk_{mnt}", f"Disk {mnt}"))
            free_pct = round(100 - _pct(rng, state), 1)
            output = (
                f"DISK {st} - free space: {mnt} {rng.randint(120, 4000)} MB ({free_pct}% inode={rng.randint(40, 99)}%);"
            )
            if st == "OK":
                output = (
                    f"DISK OK - free space: {mnt} {rng.randint(9000, 40000)} MB ({rng.randint(25, 60)}% inode=90%);"
                )
            label = rng.choice((f"partition {mnt}", f"{mnt}", f"FS {mnt}"))
            art = "la " if label.startswith("partition") else "le " if label.startswith("FS") else ""
            zbx = f"Linux: FS [{mnt}]: Space is {'critically ' if st == 'CRITICAL' else ''}low (used > {90 if st == 'CRITICAL' else 80}%)"
            zsvc = f"FS [{mnt}]"
            human = rng.choice(
                (
                    f"{art}{label} est pleine" if art == "la " else f"{art}{label} est plein",
                    f"{art}{label} est à {100 - free_pct:.0f}%",
                    f"plus de place sur {art}{label}",
                    f"{art}{label} sature",
                )
            )
            prtg_s = f"Disk Free: {mnt}"
        else:
            letter = rng.choice(("C", "C", "D", "E", "F"))
            service = rng.choice(
                (
                    f"Disk-{letter}",
                    f"Disk {letter}:",
                    f"Disk_{letter}",
                    f"Partition {letter}:",
                    f"Espace disque {letter}:",
                    f"Disk-{letter}:",
                )
            )
            total = rng.choice((59.9, 99.45, 199.45, 499.87, 1023.87, 2047.87))
            used_pct = _pct(rng, state) if st != "OK" else round(rng.uniform(40, 75), 2)
            used = round(total * used_pct / 100, 2)
            free = round(total - used, 2)
            output = rng.choice(
                (
                    f"{st} - {letter}:\\ Total: {total} GB - Used: {used} GB ({used_pct}%) - Free: {free} GB ({round(100 - used_pct, 2)}%)",
                    f"{st} - Storage '{letter}:\\ Label:  Serial Number {rng.randrange(16**8):08x}' Usage Total: {total} GB "
                    f"Used: {used} GB ({used_pct}%) Free: {free} GB ({round(100 - used_pct, 2)}%)",
                    f"{st}: {letter}:\\: {used_pct:.0f}% used ({free} GB free)",
                )
            )
            label = rng.choice((f"disque {letter}:", f"{letter}:", f"lecteur {letter}:", f"Disk-{letter}"))
            zbx = f"Windows: FS [{letter}:]: Space is {'critically ' if st == 'CRITICAL' else ''}low (used > {90 if st == 'CRITICAL' else 80}%)"
            zsvc = f"FS [{letter}:]"
            human = rng.choice(
                (
                    f"le {label} est quasiment plein ({used_pct:.0f}%)",
                    f"plus de place sur le {label}",
                    f"il reste {free} Go sur le {label}",
                    f"le {label} est plein",
                )
            )
            if label == f"{letter}:":
                human = rng.choice((f"le {letter}: est plein", f"plus que {free} Go sur {letter}:"))
            prtg_s = f"Disque libre {letter}:"
        opd = f"Space used: {rng.randint(50, 900)} GB of {rng.randint(900, 1000)} GB"
        return Probe(
            kind,
            service,
            output,
            zbx,
            zsvc,
            opd,
            prtg_s,
            f"Moins de {5 if st == 'CRITICAL' else 10} % d'espace libre (limite d'erreur)",
            label,
            human,
        )
    if kind == "cpu":
        service = rng.choice(("CPU", "CPU", "Cpu", "CPU-Usage", "Processor Load", "Load" if linux else "CPU Load"))
        pct = _pct(rng, state) if st != "OK" else round(rng.uniform(5, 40), 1)
        output = rng.choice(
            (
                f"{st} - CPU Utilization: {pct}% (avg 5 min)",
                f"{st}: 5 min avg Load: {pct}%, 1 min avg Load: {min(100.0, pct + 1.2):.1f}%",
                f"{st} - {rng.randint(2, 16)} CPU, average load {pct} % > {80 if st == 'WARNING' else 90} %",
            )
        )
        if linux and service == "Load":
            la = round(rng.uniform(6, 24), 2)
            output = f"{st} - load average: {la}, {round(la * 0.9, 2)}, {round(la * 0.8, 2)}"
        label = rng.choice(("CPU", "processeur", "CPU"))
        human = rng.choice(
            (
                f"le CPU est à {pct:.0f}%",
                "le CPU est saturé",
                "le CPU est à fond",
                f"CPU à {pct:.0f}% depuis plusieurs minutes",
            )
        )
        if label == "processeur":
            human = rng.choice(("le processeur est saturé", f"le processeur tourne à {pct:.0f}%"))
        return Probe(
            kind,
            service,
            output,
            f"High CPU utilization (over {90 if st == 'CRITICAL' else 80}% for 5m)",
            "CPU utilization",
            f"Current utilization: {pct} %",
            "Charge processeur",
            f"{pct:.0f} % (Total) est au-dessus de la limite d'erreur de 90 %",
            label,
            human,
        )
    if kind == "mem":
        service = rng.choice(("Memory", "Memory-Usage", "RAM", "Mem", "Swap" if linux else "Memory"))
        pct = _pct(rng, state) if st != "OK" else round(rng.uniform(30, 70), 1)
        tot = rng.choice((8, 16, 32, 64, 128))
        output = f"{st} - Ram Total: {tot}.00 GB Used: {round(tot * pct / 100, 2)} GB ({pct}%) Free: {round(tot * (100 - pct) / 100, 2)} GB ({round(100 - pct, 2)}%)"
        label = rng.choice(("mémoire", "RAM", "mémoire vive"))
        human = rng.choice((f"la {label} est saturée", f"{label} à {pct:.0f}%", f"la {label} est pleine"))
        if label == "RAM":
            human = rng.choice((f"la RAM est à {pct:.0f}%", "la RAM est saturée", "plus de RAM dispo"))
        return Probe(
            kind,
            service,
            output,
            "Windows: High memory utilization (>90% for 5m)"
            if not linux
            else "Linux: High memory utilization (>90% for 5m)",
            "memory utilization",
            f"{pct} %",
            "Mémoire disponible",
            f"{round(100 - pct, 1)} % disponible, en dessous de la limite",
            label,
            human,
        )
    if kind == "ping":
        service = rng.choice(("Ping", "PING", "icmp", "Ping", "Ping-LAN"))
        ip = ip_address(rng)
        if st == "WARNING":
            output = f"PING WARNING - Packet loss = {rng.choice((20, 40, 60))}%, RTA = {rng.uniform(150, 900):.2f} ms"
        elif st == "OK":
            output = f"PING OK - Packet loss = 0%, RTA = {rng.uniform(0.2, 3):.2f} ms"
        else:
            output = rng.choice((f"CRITICAL - {ip}: rta nan, lost 100%", "PING CRITICAL - Packet loss = 100%"))
        label = rng.choice(("ping", "Ping"))
        human = rng.choice(("ne répond plus au ping", "ne ping plus", "est injoignable en ping", "ping KO"))
        return Probe(
            kind,
            service,
            output,
            "Unavailable by ICMP ping",
            "ICMP ping",
            "Loss: 100 %",
            "Ping",
            "Délai d'attente dépassé (code : PE018)",
            label,
            human,
        )
    if kind == "svc":
        name, disp = rng.choice(_WIN_SERVICES)
        short = name.split(" (")[0]
        service = rng.choice(
            (f"Service-{short}", f"Svc-{short}", f"Service {short}", "Services-Auto", f"WinSvc-{short}")
        )
        if service == "Services-Auto":
            output = f"{st}: {short} is stopped (auto)"
        else:
            output = rng.choice(
                (
                    f"{st} - {short}: stopped",
                    f"{st}: '{short}' is stopped",
                    f"{st} - Service '{disp}' ({short}) is not running",
                )
            )
        if st == "OK":
            output = f"OK - {short}: started"
        label = f"service {short}"
        human = rng.choice((f"le {label} est arrêté", f"le {label} ne tourne plus", f"le {label} s'est arrêté"))
        return Probe(
            kind,
            service,
            output,
            f'Windows: "{short}" ({disp}) is not running (startup type automatic)',
            short,
            "Current state: stopped",
            f"Service Windows {short}",
            "Le service n'est pas en cours d'exécution",
            label,
            human,
        )
    if kind == "http":
        site = rng.choice(("intranet", "portail", "extranet", "www", "gmao", "rh", "webmail", "glpi"))
        service = rng.choice((f"HTTP-{site}", "HTTPS", "HTTP", f"Web-{site.capitalize()}", f"URL-{site}"))
        output = rng.choice(
            (
                "HTTP CRITICAL - Unable to open TCP socket",
                "CRITICAL - Socket timeout after 10 seconds",
                "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 512 bytes in 0.012 second response time",
                "HTTP WARNING: HTTP/1.1 404 Not Found - 1024 bytes in 0.231 second response time",
                "HTTP CRITICAL: HTTP/1.1 500 Internal Server Error",
            )
        )
        label = rng.choice((f"site {site}", "HTTPS", f"check HTTP {site}"))
        human = rng.choice((f"le {label} ne répond plus", f"le {label} renvoie une erreur 503", f"le {label} est KO"))
        if label == "HTTPS":
            human = rng.choice(("le check HTTPS est en erreur", "la sonde HTTPS est rouge"))
        return Probe(
            kind,
            service,
            output,
            f'Web scenario "{site}" failed: HTTP 503',
            f'Web scenario "{site}"',
            "Response code: 503",
            f"HTTP {site}",
            "Erreur 503 : Service Unavailable",
            label,
            human,
        )
    if kind == "cert":
        days = rng.randint(2, 20)
        fqdn = f"{rng.choice(('intranet', 'portail', 'mail', 'vpn', 'extranet'))}.{company.domain}"
        service = rng.choice(("Cert-SSL", "Certificat HTTPS", "SSL-Cert", "Certificate"))
        output = f"SSL CERT {st} - Certificate '{fqdn}' will expire in {days} days"
        label = rng.choice(("certificat SSL", "certificat"))
        human = f"le {label} de {fqdn} expire dans {days} jours"
        return Probe(
            kind,
            service,
            output,
            f"SSL certificate expires in less than {days + 1} days",
            "SSL certificate",
            f"Expires in: {days} days",
            "Certificat SSL",
            f"Le certificat expire dans {days} jours",
            label,
            human,
        )
    if kind == "ntp":
        off = round(rng.uniform(35, 600), 2)
        service = rng.choice(("NTP", "Time-Sync", "ntp-offset"))
        output = f"NTP {st}: Offset {off} secs"
        label = "NTP"
        human = f"décalage horaire NTP de {off:.0f} secondes"
        return Probe(
            kind,
            service,
            output,
            "System time is out of sync (diff with Zabbix server > 60s)",
            "System time",
            f"{off}s",
            "Décalage NTP",
            f"Décalage de {off:.0f} s",
            label,
            human,
        )
    if kind == "uptime":
        mins = rng.randint(2, 9)
        service = rng.choice(("Uptime", "uptime", "Reboot"))
        output = f"WARNING - System rebooted {mins} minutes ago"
        label = "uptime"
        human = f"le serveur a redémarré tout seul (uptime {mins} min)"
        return Probe(
            kind,
            service,
            output,
            f"{host.name} has been restarted (uptime < 10m)",
            "uptime",
            f"{mins}m",
            "Uptime système",
            f"Le système a redémarré il y a {mins} minutes",
            label,
            human,
        )
    if kind == "proc":
        proc = rng.choice(_PROCESSES)
        service = rng.choice((f"Proc-{proc}", f"Process {proc}", f"process_{proc}"))
        output = f"PROCS CRITICAL: 0 processes with command name '{proc}'"
        label = f"process {proc}"
        human = f"le {label} n'est plus lancé"
        return Probe(
            kind,
            service,
            output,
            f"Process {proc} is not running",
            f"Process {proc}",
            "0 processes",
            f"Processus {proc}",
            "Aucun processus trouvé",
            label,
            human,
        )
    if kind == "db":
        which = rng.choice(("MySQL", "MSSQL", "Oracle", "PostgreSQL"))
        service = rng.choice((f"{which}-Connection", f"{which}-Status", f"DB-{which}"))
        output = rng.choice(
            (
                f"CRITICAL - Cannot connect to {which} server on '127.0.0.1' (111)",
                f"CRITICAL - connection time {rng.uniform(10, 30):.2f}s > 10s",
                f"{st} - tablespace USERS usage {_pct(rng, state)}%",
            )
        )
        label = f"base {which}"
        human = f"la {label} ne répond plus"
        return Probe(
            kind,
            service,
            output,
            f"{which} status: service is down",
            f"{which} status",
            "Status: down",
            f"{which} connexion",
            "Connexion refusée",
            label,
            human,
        )
    if kind == "raid":
        service = rng.choice(("Hardware", "RAID", "iDRAC-Status", "ILO-Health", "Hardware-Status"))
        output = rng.choice(
            (
                f"{st} - Logical Drive 1 (RAID5) Degraded / Physical Disk 0:1:2 Failed",
                f"{st} - Array A: Failed drive in bay 3",
                f"{st} - Power Supply 2: Failed",
                f"{st} - Fan 3 : speed 0 RPM",
            )
        )
        label = rng.choice(("RAID", "matériel", "iDRAC"))
        human = rng.choice(
            (f"alerte {label} : un disque est HS", f"alerte {label}, disque en panne", f"état {label} dégradé")
        )
        return Probe(
            kind,
            service,
            output,
            "Dell iDRAC: Disk 0:1:2 is in critical state",
            "Disk 0:1:2",
            "Status: failed",
            "Santé du système",
            "Le disque physique 2 est en échec",
            label,
            human,
        )
    if kind == "queue":
        n = rng.randint(150, 3000)
        service = rng.choice(("Exchange-Queue", "Mailq", "Mail-Queue", "SMTP-Queue"))
        output = f"{st} - {n} messages in queue"
        label = "file d'attente mail"
        human = f"la {label} est à {n} messages"
        return Probe(
            kind,
            service,
            output,
            f"Exchange: mail queue is too long (> {n - 50})",
            "mail queue",
            f"{n}",
            "File d'attente SMTP",
            f"{n} messages en attente",
            label,
            human,
        )
    # datastore
    ds = rng.choice(_DATASTORES)
    pct = _pct(rng, state)
    service = rng.choice((f"Datastore-{ds}", f"DS-{ds}", f"Datastore {ds}"))
    output = f"{st} - '{ds}' used {pct}% ({round(2 * pct / 100, 2)} TB/2.00 TB)"
    label = f"datastore {ds}"
    human = f"le {label} est à {pct:.0f}%"
    return Probe(
        "datastore",
        service,
        output,
        f"VMware: Free space is critically low on datastore {ds}",
        f"datastore {ds}",
        f"{pct} %",
        f"Datastore {ds}",
        f"{pct:.0f} % utilisé",
        label,
        human,
    )


def backup_probe(company: Company, host: Host, state: str, rng: random.Random) -> tuple[Probe, str]:
    """A supervision check on the backup server itself (ambiguous on purpose): (probe, job)."""
    job = job_name(company, rng)
    service = rng.choice(("Veeam-Jobs", "Backup-Veeam", "Sauvegarde Veeam", "Veeam-Job-Status", "Backup-Status"))
    output = rng.choice(
        (
            f"{state} - Job '{job}' last result: Failed",
            f"{state}: 1 job(s) failed: {job}",
            f"{state} - Last session of {job} ended with Failed status",
        )
    )
    label = "sonde sauvegarde Veeam"
    human = f"la {label} est en {state}"
    return Probe(
        "backup",
        service,
        output,
        f"Veeam job {job} has FAILED",
        f"Veeam job {job}",
        "Result: Failed",
        f"Veeam job {job}",
        "Le dernier job a échoué",
        label,
        human,
    ), job
