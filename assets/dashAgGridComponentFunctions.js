/* Cell renderers of the tables (dash-ag-grid, components/tables.py).
 *
 * RegionLink — a region's name linking to its profile: the link is built here from the row's
 *   region id and the column's cellRendererParams {base, query}, so a table of 3,000 counties
 *   does not send 3,000 addresses; rows with linked = 0 (no profile) show the name only.
 */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

dagcomponentfuncs.RegionLink = function (props) {
    var p = props.colDef.cellRendererParams || {};
    var data = props.data || {};
    var idKey = p.idField || 'id';
    if (!data[idKey] || data.l === 0) {
        return React.createElement('span', null, props.value);
    }
    var href = (p.base || '') + encodeURIComponent(data[idKey]) + (p.query || '');
    return React.createElement('a', {href: href}, props.value);
};
