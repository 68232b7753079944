"""The sidebar's Salesforce adapter (`SidebarCrmPort`): its SOQL/SOSL and Composite writes live here."""
from app.providers.salesforce.sidebar.port import SalesforceSidebarPort

__all__ = ["SalesforceSidebarPort"]
