//! The `extends` graph: a DAG of profiles, ordered parents before children.

use indexmap::IndexMap;

use crate::model::ProfileName;

/// Orders profiles so every parent comes before its children, keeping declaration order where
/// the graph allows it (so output is stable and reads as written).
///
/// On a cycle, returns it as a path whose first name is repeated at the end
/// (`["a", "b", "a"]`), which is what the error message prints.
pub(crate) fn topological_order(
    extends: &IndexMap<ProfileName, Vec<ProfileName>>,
) -> Result<Vec<ProfileName>, Vec<ProfileName>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unvisited,
        InProgress,
        Done,
    }
    fn visit(
        index: usize,
        extends: &IndexMap<ProfileName, Vec<ProfileName>>,
        states: &mut [State],
        path: &mut Vec<usize>,
        order: &mut Vec<ProfileName>,
    ) -> Result<(), Vec<ProfileName>> {
        match states[index] {
            State::Done => return Ok(()),
            State::InProgress => {
                let start = path
                    .iter()
                    .position(|&seen| seen == index)
                    .expect("a profile in progress is on the current path");
                let mut cycle: Vec<ProfileName> = path[start..]
                    .iter()
                    .map(|&seen| {
                        extends
                            .get_index(seen)
                            .expect("index from the map")
                            .0
                            .clone()
                    })
                    .collect();
                cycle.push(cycle[0].clone());
                return Err(cycle);
            }
            State::Unvisited => {}
        }
        states[index] = State::InProgress;
        path.push(index);
        let (name, parents) = extends.get_index(index).expect("index from the map");
        for parent in parents {
            let parent_index = extends
                .get_index_of(parent)
                .expect("parents were validated to exist");
            visit(parent_index, extends, states, path, order)?;
        }
        path.pop();
        states[index] = State::Done;
        order.push(name.clone());
        Ok(())
    }

    let mut states = vec![State::Unvisited; extends.len()];
    let mut order = Vec::with_capacity(extends.len());
    for index in 0..extends.len() {
        visit(index, extends, &mut states, &mut Vec::new(), &mut order)?;
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> IndexMap<ProfileName, Vec<ProfileName>> {
        edges
            .iter()
            .map(|(name, parents)| {
                (
                    ProfileName::parse(name).unwrap(),
                    parents
                        .iter()
                        .map(|parent| ProfileName::parse(parent).unwrap())
                        .collect(),
                )
            })
            .collect()
    }

    fn names(order: &[ProfileName]) -> Vec<&str> {
        order.iter().map(ProfileName::as_str).collect()
    }

    #[test]
    fn parents_come_before_children() {
        let order = topological_order(&graph(&[
            ("dev", &["build"]),
            ("base", &[]),
            ("build", &["backend"]),
            ("backend", &["base"]),
        ]))
        .unwrap();
        assert_eq!(names(&order), ["base", "backend", "build", "dev"]);
    }

    #[test]
    fn cycle_is_returned_as_a_closed_path() {
        let cycle =
            topological_order(&graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])])).unwrap_err();
        assert_eq!(names(&cycle), ["a", "b", "c", "a"]);
    }
}
