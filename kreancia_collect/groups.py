"""XML ids of the add-on's security groups, written once."""

AGENT_GROUP = "kreancia_collect.kreancia_collect_group_agent"
MANAGER_GROUP = "kreancia_collect.kreancia_collect_group_manager"
