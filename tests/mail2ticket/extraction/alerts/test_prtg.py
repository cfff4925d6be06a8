"""PRTG default notifications (English, French)."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

ENGLISH = """[SRV-APP-04] Ping Down ESCALATION

Sensor: Ping
Device: SRV-APP-04 (10.2.0.14)
Group: Servers
Probe: Local Probe
Status: Down ESCALATION since 14/03/2025 10:23:45 (UTC+01:00)
Last Scan: 14/03/2025 10:25:45
Last Message: Request timed out (code: PE018)
"""

FRENCH = """PRTG Network Monitor (SRV-PRTG01)

[srvfic01] Disque libre D: Warning

Capteur : Disque libre D:
Appareil : srvfic01 (192.168.10.5)
Groupe : Serveurs Windows
Statut : Warning depuis 03/02/2025 14:05:10 (UTC+01:00)
Dernier scan : 03/02/2025 14:06:10
Dernier message : Moins de 10 % d'espace libre (limite d'erreur)
"""


def test_down_sensor_is_down() -> None:
    found = parse_alert(ENGLISH, "[PRTG] [SRV-APP-04] Ping Down ESCALATION")
    assert found is not None and (found.parser, found.category_key) == ("prtg", "supervision")
    assert found.fields == {
        "hostname": "SRV-APP-04",
        "service": "Ping",
        "severity": "DOWN",
        "alert_time": "2025-03-14T10:23:45",
    }


def test_french_warning() -> None:
    found = parse_alert(FRENCH)
    assert found is not None
    assert found.fields == {
        "hostname": "srvfic01",
        "service": "Disque libre D:",
        "severity": "WARNING",
        "alert_time": "2025-02-03T14:05:10",
    }


def test_up_forwarded_html_table() -> None:
    table = (
        "PRTG Network Monitor\n\nSensor\tHTTP intranet\nStatus\tUp\nDate/Time\t14/03/2025 11:00:00 (UTC+01:00)\n"
        "Last Message\tOK\nDevice\tintranet01\n"
    )
    text = "Tout est revenu.\n\n---------- Forwarded message ---------\nFrom: PRTG <prtg@client.fr>\n\n" + table
    found = parse_alert(text)
    assert found is not None
    assert found.fields == {
        "hostname": "intranet01",
        "service": "HTTP intranet",
        "severity": "OK",
        "alert_time": "2025-03-14T11:00:00",
    }


def test_human_mail_is_not_an_alert() -> None:
    assert parse_alert("PRTG dit que le capteur Ping de SRV-APP-04 est Down. Status: inquiétant.") is None
