"""hier_config drivers for the two platforms, with opsbook's extra rules.

hier_config 3.x ships drivers for Cisco IOS and Huawei VRP. On top of them opsbook adds:

* **safe ordering** — objects are created before they are referenced and removed after they are
  unreferenced: ACLs and VLANs first (weight -20/-30), their removal last (weight 150/160);
* **idempotent commands** — single-valued commands are replaced, never negated then re-added
  (``hostname``/``sysname``, descriptions, IP addresses, SNMP location/contact, banners, user
  passwords …);
* **negation** fixes — ``no banner motd`` rather than the banner text; VRP ``undo`` forms.

Rules are data (hier_config models); tests in tests/unit/test_net_remediation.py pin them.
"""

from __future__ import annotations

from hier_config import MatchRule, Platform
from hier_config.models import (
    IdempotentCommandsRule,
    NegationDefaultWithRule,
    NegationSubRule,
    OrderingRule,
)
from hier_config.platforms.cisco_ios.driver import HConfigDriverCiscoIOS
from hier_config.platforms.driver_base import HConfigDriverBase, HConfigDriverRules
from hier_config.platforms.huawei_vrp.driver import HConfigDriverHuaweiVrp

from opsbook.network.platforms import platform


def _m(*parts: str, regex: bool = False) -> tuple[MatchRule, ...]:
    if regex:
        return tuple(MatchRule(re_search=p) for p in parts)
    return tuple(MatchRule(startswith=p) for p in parts)


def _idem(*parts: str, regex: bool = False) -> IdempotentCommandsRule:
    return IdempotentCommandsRule(match_rules=_m(*parts, regex=regex))


def _order(weight: int, *parts: str, regex: bool = False) -> OrderingRule:
    return OrderingRule(match_rules=_m(*parts, regex=regex), weight=weight)


def _extend(rules: HConfigDriverRules, extra: HConfigDriverRules) -> HConfigDriverRules:
    return rules.model_copy(
        update={
            "ordering": [*extra.ordering, *rules.ordering],
            "idempotent_commands": [*rules.idempotent_commands, *extra.idempotent_commands],
            "negate_with": [*extra.negate_with, *rules.negate_with],
            "negation_sub": [*extra.negation_sub, *rules.negation_sub],
        }
    )


_IOS_EXTRA = HConfigDriverRules(
    ordering=[
        _order(-30, "vlan "),
        _order(-20, "ip access-list "),
        _order(-20, "access-list "),
        _order(150, "no ip access-list "),
        _order(150, "no access-list "),
        _order(160, "no vlan "),
    ],
    idempotent_commands=[
        _idem("hostname "),
        _idem("banner motd "),
        _idem("banner login "),
        _idem("banner exec "),
        _idem("snmp-server location "),
        _idem("snmp-server contact "),
        _idem("logging trap "),
        _idem("clock timezone "),
        _idem(r"^enable secret ", regex=True),
        _idem(r"^username (\S+) ", regex=True),
        _idem("interface ", "switchport access vlan "),
        _idem("interface ", "switchport trunk allowed vlan "),
        _idem("interface ", "switchport trunk native vlan "),
    ],
    negate_with=[
        NegationDefaultWithRule(match_rules=_m("banner motd "), use="no banner motd"),
        NegationDefaultWithRule(match_rules=_m("banner login "), use="no banner login"),
        NegationDefaultWithRule(match_rules=_m("banner exec "), use="no banner exec"),
    ],
)

_VRP_EXTRA = HConfigDriverRules(
    ordering=[
        _order(-30, "vlan "),
        _order(-20, "acl "),
        _order(150, "undo acl "),
        _order(160, "undo vlan "),
    ],
    idempotent_commands=[
        _idem("sysname "),
        _idem("header login "),
        _idem("header shell "),
        _idem("snmp-agent sys-info location "),
        _idem("snmp-agent sys-info contact "),
        _idem("clock timezone "),
        _idem("interface ", "description "),
        _idem("interface ", "ip address "),
        _idem("interface ", "port link-type "),
        _idem("interface ", "port default vlan "),
        _idem("vlan ", "description "),
        IdempotentCommandsRule(
            match_rules=(MatchRule(equals="aaa"), MatchRule(re_search=r"^local-user (\S+) password "))
        ),
        IdempotentCommandsRule(
            match_rules=(MatchRule(equals="aaa"), MatchRule(re_search=r"^local-user (\S+) privilege level "))
        ),
    ],
    negate_with=[
        NegationDefaultWithRule(match_rules=_m("header login "), use="undo header login"),
        NegationDefaultWithRule(match_rules=_m("header shell "), use="undo header shell"),
    ],
    # a rule is removed by its number: `undo rule 5` (with conditions after the number, VRP
    # would remove those conditions from the rule, not the rule)
    negation_sub=[
        NegationSubRule(
            match_rules=(MatchRule(startswith="acl "), MatchRule(re_search=r"^rule \d+ ")),
            search=r"^undo rule (\d+) .*$",
            replace=r"undo rule \1",
        )
    ],
)


class OpsbookIOSDriver(HConfigDriverCiscoIOS):
    """hier_config's Cisco IOS driver plus opsbook's ordering, idempotency and negation rules."""

    @staticmethod
    def _instantiate_rules() -> HConfigDriverRules:
        return _extend(HConfigDriverCiscoIOS._instantiate_rules(), _IOS_EXTRA)


class OpsbookVRPDriver(HConfigDriverHuaweiVrp):
    """hier_config's Huawei VRP driver plus opsbook's ordering, idempotency and negation rules."""

    @staticmethod
    def _instantiate_rules() -> HConfigDriverRules:
        return _extend(HConfigDriverHuaweiVrp._instantiate_rules(), _VRP_EXTRA)


def driver(platform_name: str) -> HConfigDriverBase:
    """A fresh hier_config driver for the platform."""
    name = platform(platform_name).name
    return OpsbookIOSDriver() if name == "cisco_ios" else OpsbookVRPDriver()


def hier_platform(platform_name: str) -> Platform:
    name = platform(platform_name).name
    return Platform.CISCO_IOS if name == "cisco_ios" else Platform.HUAWEI_VRP
