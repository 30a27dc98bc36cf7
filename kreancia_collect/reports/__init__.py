from . import kreancia_aged_balance
from . import kreancia_kpi
from . import kreancia_case_report
from . import kreancia_collection_overview
from . import kreancia_xlsx_export

# a view over the columns of the models above: created last
from . import kreancia_worklist
